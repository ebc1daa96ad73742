{
  "targets": [
    {
      "target_name": "copy_range",
      "sources": ["copy-range.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
