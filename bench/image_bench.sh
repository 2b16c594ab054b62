#!/usr/bin/env bash
# The time to make an uploaded image's variants (zixun_media::process: decode, orient, encode
# anew without metadata, 320/640/1280 variants in WebP and JPEG), against a floor measured in
# the same run: one decode and one JPEG encode of the same image.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release -q -p zixun-media --example variants
