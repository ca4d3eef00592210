{
  "targets": [{
    "target_name": "chainrule_native",
    "sources": ["src/addon.cc", "src/elementwise.cc", "src/exp.cc", "src/fused.cc", "src/layout.cc", "src/gemm.cc", "src/pool.cc", "src/window.cc"],
    "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
    "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
    "cflags!": ["-fno-exceptions", "-O2", "-O1"],
    "cflags_cc!": ["-fno-exceptions", "-O2", "-O1"],
    "cflags_cc": ["-O3", "-std=c++17", "-fno-exceptions", "-ffp-contract=off", "-fno-math-errno"],
    "xcode_settings": {
      "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17", "-ffp-contract=off", "-fno-math-errno"]
    }
  }]
}
