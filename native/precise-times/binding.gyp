{
  "targets": [
    {
      "target_name": "precise_times",
      "sources": ["precise-times.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
