#!/usr/bin/env bash
# Real footage for the pipeline benchmarks (issue 14, P1), made from the Big Buck Bunny clip the
# set-up step fetches (sample_data/generated/footage/bigbuckbunny.mp4, 1280×720, 132 frames):
#
#   OUT/long/bbb_long.mp4     the clip looped to a minute, center-cropped to 4:3 and scaled to
#                             768×576, H.264 with x264's defaults (B-frames, keyframes about
#                             every 10 s): a long 4:3 video that does not fit the decoded-video
#                             cache, as ActivityNet-style probe sets have
#   OUT/short/bbb_NN.mp4      the same minute cut into 2 s clips, each its own file: many short
#                             videos, each decoded once
#
# Usage: tools/make_bench_footage.sh OUT   (needs ffmpeg with libx264)
set -euo pipefail
out=${1:?usage: tools/make_bench_footage.sh OUT}
src=${BBB:-sample_data/generated/footage/bigbuckbunny.mp4}
[ -f "$src" ] || { echo "no $src: run scripts/setup.sh first" >&2; exit 1; }
mkdir -p "$out/long" "$out/short"
ffmpeg -loglevel error -y -stream_loop 11 -i "$src" -t 60 \
    -vf "crop=ih*4/3:ih,scale=768:576" -c:v libx264 -pix_fmt yuv420p -an "$out/long/bbb_long.mp4"
ffmpeg -loglevel error -y -i "$out/long/bbb_long.mp4" -c:v libx264 -pix_fmt yuv420p \
    -force_key_frames "expr:gte(t,n_forced*2)" -f segment -segment_time 2 -reset_timestamps 1 \
    -an "$out/short/bbb_%02d.mp4"
echo "wrote $out/long/bbb_long.mp4 ($(ffprobe -v error -count_packets -select_streams v:0 \
    -show_entries stream=nb_read_packets -of csv=p=0 "$out/long/bbb_long.mp4") frames) and \
$(ls "$out/short" | wc -l) short clips in $out/short"
