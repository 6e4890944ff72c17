#!/bin/sh
# Build the Asterisk core prompts (16 kHz G.722 from Debian) as WAV under DEST, following
# ../shared/data/README.md ("Asterisk prompts from Debian"). Keep DEST outside the repo.
# Result: DEST/wav/<voice>/<flattened prompt path>.wav, e.g. DEST/wav/fr_CA_f_June/digits_1.wav.
# Non-speech prompts (silence_N, beeps, tones, tt-monkeys) are skipped here, not in the loader.
set -eu
DEST=${1:?usage: fetch_asterisk.sh DEST}
mkdir -p "$DEST" && cd "$DEST"
command -v ffmpeg >/dev/null || { apt-get update && apt-get install -y ffmpeg; }
for l in en es fr it ru; do
  ls asterisk-core-sounds-$l-g722_*.deb >/dev/null 2>&1 || apt-get download asterisk-core-sounds-$l-g722
done
for f in *.deb; do dpkg -x "$f" x; done
SKIP='^(silence_[0-9]+|beep|beeperr|ascending-2tone|descending-2tone|tt-monkeys)$'
# -nostdin: otherwise ffmpeg eats the loop's stdin and every second file is skipped
find x/usr/share/asterisk/sounds -name '*.g722' | sort | while read -r f; do
  rel=${f#x/usr/share/asterisk/sounds/}; rel=${rel%.g722}
  voice=${rel%%/*}; name=$(echo "${rel#*/}" | tr '/' '_')    # silence/1 -> silence_1
  echo "$name" | grep -Eq "$SKIP" && continue
  o="wav/$voice/$name.wav"; [ -s "$o" ] && continue
  mkdir -p "wav/$voice"
  ffmpeg -nostdin -loglevel error -y -f g722 -i "$f" -ar 16000 -ac 1 -c:a pcm_s16le "$o"
done
for v in wav/*; do echo "$v: $(ls "$v" | wc -l) files"; done
