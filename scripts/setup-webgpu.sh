#!/usr/bin/env bash
# Installs what the gpujs backend's WebGPU tests need on a Debian 12 machine without a GPU, as
# root: the Vulkan loader, and Chromium, whose chromium-common package ships SwiftShader's Vulkan
# driver (the WebGPU adapter in Node) and which the headless browser check drives. The EGL and
# GLES packages are the fallback adapter (Mesa llvmpipe through OpenGL ES, EGL_PLATFORM=surfaceless).
# Prints the environment variables to export afterwards.
set -euo pipefail

apt-get update
apt-get install -y --no-install-recommends libvulkan1 chromium libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri

icd=/usr/lib/chromium/vk_swiftshader_icd.json
if [ ! -f "$icd" ]; then
  echo "setup-webgpu: $icd is missing after installing chromium; check the chromium-common package" >&2
  exit 1
fi
echo "export VK_ICD_FILENAMES=$icd"
echo "export ICL_LAB_REQUIRE_MODES=webgpu,webasm"
