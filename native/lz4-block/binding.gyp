{
  "targets": [
    {
      "target_name": "lz4_block",
      "sources": ["lz4-block.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"],
      "libraries": ["-l:liblz4.so.1"]
    }
  ]
}
