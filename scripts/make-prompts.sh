#!/usr/bin/env bash
# Makes the Chinese IVR prompts the product plays, with espeak-ng (Mandarin) and sox, as
# 8 kHz mono 16-bit WAV. Asterisk plays them by name without extension: sound:hotline/<name>.
# Deployments may replace them with studio recordings of the same names (asterisk-config/PROMPTS.md).
#
#   scripts/make-prompts.sh [--force] [OUT_DIR]     (OUT_DIR default: <repo>/.lab/prompts/hotline)
#
# Existing files are kept unless --force is given.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FORCE=0
if [[ ${1:-} == --force ]]; then FORCE=1; shift; fi
OUT=${1:-$ROOT/.lab/prompts/hotline}
VOICE=${PROMPT_VOICE:-cmn}
SPEED=${PROMPT_SPEED:-190}

install_missing() {
  local missing=()
  command -v espeak-ng >/dev/null || missing+=(espeak-ng)
  command -v sox >/dev/null || missing+=(sox)
  if ((${#missing[@]})); then
    [[ $(id -u) -eq 0 ]] || { echo "make-prompts: need ${missing[*]} (apt-get install ${missing[*]})" >&2; exit 1; }
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  fi
}

# name|text. The names are the contract with the application (see asterisk-config/PROMPTS.md).
PROMPTS=(
  "greeting|您好，欢迎致电幺二三四五政务服务便民热线，我们将竭诚为您服务。"
  "queue-hold|正在为您转接，请稍候。"
  "position-prefix|您前面还有"
  "position-suffix|位来电者在等待。"
  "digit-0|零"
  "digit-1|一"
  "digit-2|二"
  "digit-3|三"
  "digit-4|四"
  "digit-5|五"
  "digit-6|六"
  "digit-7|七"
  "digit-8|八"
  "digit-9|九"
  "number-10|十"
  "number-100|百"
  "agent-id-suffix|号话务员为您服务。"
  "rating-2|请对本次服务进行评价，满意请按1，不满意请按2。"
  "rating-5|请对本次服务进行评价，非常满意请按1，满意请按2，基本满意请按3，不满意请按4，非常不满意请按5。"
  "rating-invalid|输入有误，请重新输入。"
  "thanks|感谢您的评价，再见。"
  "overflow|现在坐席全忙。如需回电，请按1；稍后再拨，请挂机。"
  "callback-recorded|已为您登记回电，再见。"
  "busy|现在线路繁忙，请稍后再拨。"
  "goodbye|感谢您的来电，再见。"
  "maintenance|系统维护中，请稍后再拨。"
  "survey-solved-0|您好，这里是幺二三四五热线，关于您反映的问题，现对办理情况进行回访。问题已解决请按1，未解决请按2，转人工服务请按0。"
  "survey-satisfaction|请对办理结果进行评价，非常满意请按1，满意请按2，基本满意请按3，不满意请按4，非常不满意请按5。"
  "survey-thanks|感谢您的配合，再见。"
)

install_missing
mkdir -p "$OUT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

made=0
for entry in "${PROMPTS[@]}"; do
  name=${entry%%|*}
  text=${entry#*|}
  target=$OUT/$name.wav
  if [[ -s $target && $FORCE -eq 0 ]]; then continue; fi
  espeak-ng -v "$VOICE" -s "$SPEED" -w "$tmp/raw.wav" -- "$text"
  # Telephone format. espeak's leading/trailing silence is trimmed (digits are concatenated),
  # then a short lead-in keeps the first syllable from being clipped on a fresh RTP stream;
  # normalised below full scale so G.711 does not clip.
  sox "$tmp/raw.wav" -r 8000 -c 1 -b 16 -e signed-integer "$tmp/out.wav" \
    silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse pad 0.1 0.05 gain -n -3
  mv -f "$tmp/out.wav" "$target"
  made=$((made + 1))
done
echo "make-prompts: $made made, $((${#PROMPTS[@]} - made)) kept in $OUT" >&2
