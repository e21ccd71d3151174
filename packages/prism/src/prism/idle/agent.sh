#!/bin/bash
# prism idle agent: samples activity on this workstation and publishes it to CloudWatch.
# Run by prism-idle.timer every check interval. Settings in /etc/prism/idle.env (written at
# launch from the template's idle_detection); PRISM_IDLE_* variables override where it reads.
set -uo pipefail

CONF=${PRISM_IDLE_CONF:-/etc/prism/idle.env}
# shellcheck source=/dev/null
. "$CONF"
PROC=${PRISM_IDLE_PROC:-/proc}
STATE=${PRISM_IDLE_STATE:-/var/lib/prism/idle}
IMDS=${PRISM_IDLE_IMDS:-http://169.254.169.254}
ROOT=${PRISM_IDLE_ROOT:-/}
export PATH="$PATH:/opt/conda/bin:/usr/local/bin"
mkdir -p "$STATE"
now=$(date +%s)
last=$(cat "$STATE/last-sample" 2>/dev/null || echo $((now - PRISM_CHECK_MINUTES * 60)))

# CPU: the 1-minute load average as a share of the CPUs.
cpus=$(grep -c '^processor' "$PROC/cpuinfo" 2>/dev/null || true)
[ "${cpus:-0}" -gt 0 ] || cpus=1
load=$(cut -d' ' -f1 "$PROC/loadavg")
cpu=$(awk -v l="$load" -v n="$cpus" 'BEGIN { printf "%.1f", l * 100 / n }')

# Interactive SSH logins: sshd's session processes on a terminal ("sshd: ann@pts/0").
ssh=0
for cmdline in "$PROC"/[0-9]*/cmdline; do
  [ -r "$cmdline" ] || continue
  if tr '\0' ' ' < "$cmdline" 2>/dev/null | grep -Eq '^sshd(-session)?: [^ ]+@pts/'; then
    ssh=$((ssh + 1))
  fi
done

# GPU utilisation, where there is a GPU.
gpu=""
if command -v nvidia-smi >/dev/null 2>&1; then
  gpu=$(nvidia-smi --query-gpu=utilization.gpu --format=csv,noheader,nounits 2>/dev/null \
    | awk 'BEGIN { m = "" } { v = $1 + 0; if (m == "" || v > m) m = v } END { print m }')
fi

# Jupyter: kernels busy now, or active since the last sample.
kernels=0
if command -v jupyter >/dev/null 2>&1; then
  while IFS= read -r server; do
    url=$(printf '%s' "$server" | sed -n 's/.*"url": *"\([^"]*\)".*/\1/p')
    token=$(printf '%s' "$server" | sed -n 's/.*"token": *"\([^"]*\)".*/\1/p')
    [ -n "$url" ] || continue
    listing=$(curl -fsS --max-time 5 -H "Authorization: token $token" "${url%/}/api/kernels" \
      2>/dev/null) || continue
    busy=$(printf '%s' "$listing" | grep -o '"execution_state": *"busy"' | wc -l)
    kernels=$((kernels + busy))
    for stamp in $(printf '%s' "$listing" | grep -o '"last_activity": *"[^"]*"' \
      | sed 's/.*"\([^"]*\)"$/\1/'); do
      seen=$(date -d "$stamp" +%s 2>/dev/null || echo 0)
      if [ "$seen" -gt "$last" ]; then kernels=$((kernels + 1)); fi
    done
  done < <(jupyter server list --json 2>/dev/null)
fi

# RStudio: sessions (rsession processes) that used CPU since the last sample.
rstudio=0
ticks=0
for stat in "$PROC"/[0-9]*/stat; do
  [ -r "$stat" ] || continue
  if [ "$(cat "${stat%/stat}/comm" 2>/dev/null)" = rsession ]; then
    used=$(sed 's/^.*) //' "$stat" | awk '{ print $12 + $13 }')
    ticks=$((ticks + used))
    rstudio=$((rstudio + 1))
  fi
done
before=$(cat "$STATE/rstudio-ticks" 2>/dev/null || echo -1)
echo "$ticks" > "$STATE/rstudio-ticks"
if [ "$rstudio" -gt 0 ] && [ "$ticks" -eq "$before" ]; then rstudio=0; fi

disk=$(df -P "$ROOT" 2>/dev/null | awk 'NR == 2 { sub("%", "", $5); print $5 }')

idle=1
if awk -v c="$cpu" -v t="$PRISM_CPU_THRESHOLD" 'BEGIN { exit !(c >= t) }'; then idle=0; fi
if [ -n "$gpu" ] && awk -v g="$gpu" -v t="$PRISM_GPU_THRESHOLD" 'BEGIN { exit !(g >= t) }'; then
  idle=0
fi
if [ "$ssh" -gt 0 ] || [ "$kernels" -gt 0 ] || [ "$rstudio" -gt 0 ]; then idle=0; fi
echo "$now" > "$STATE/last-sample"

# Credentials: the environment's, else the instance profile's (IMDSv2).
key=${AWS_ACCESS_KEY_ID:-}
secret=${AWS_SECRET_ACCESS_KEY:-}
session=${AWS_SESSION_TOKEN:-}
if [ -z "$key" ]; then
  imds=$(curl -fsS --max-time 2 -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 300" \
    "$IMDS/latest/api/token" 2>/dev/null) || imds=""
  role=$(curl -fsS --max-time 2 -H "X-aws-ec2-metadata-token: $imds" \
    "$IMDS/latest/meta-data/iam/security-credentials/" 2>/dev/null | head -n1) || role=""
  if [ -n "$role" ]; then
    creds=$(curl -fsS --max-time 2 -H "X-aws-ec2-metadata-token: $imds" \
      "$IMDS/latest/meta-data/iam/security-credentials/$role" 2>/dev/null) || creds=""
    key=$(printf '%s' "$creds" | sed -n 's/.*"AccessKeyId" *: *"\([^"]*\)".*/\1/p')
    secret=$(printf '%s' "$creds" | sed -n 's/.*"SecretAccessKey" *: *"\([^"]*\)".*/\1/p')
    session=$(printf '%s' "$creds" | sed -n 's/.*"Token" *: *"\([^"]*\)".*/\1/p')
  fi
fi

summary="idle=$idle cpu=$cpu ssh=$ssh gpu=${gpu:--} kernels=$kernels rstudio=$rstudio disk=${disk:--}"
if [ -z "$key" ]; then
  echo "$summary published=no (no credentials: is the instance profile attached?)"
  exit 1
fi

args=(--data-urlencode "Action=PutMetricData" --data-urlencode "Version=2010-08-01"
  --data-urlencode "Namespace=$PRISM_NAMESPACE")
n=0
metric() {
  n=$((n + 1))
  local m="MetricData.member.$n"
  args+=(--data-urlencode "$m.MetricName=$1" --data-urlencode "$m.Value=$2"
    --data-urlencode "$m.Unit=$3"
    --data-urlencode "$m.Dimensions.member.1.Name=Workstation"
    --data-urlencode "$m.Dimensions.member.1.Value=$PRISM_WORKSTATION"
    --data-urlencode "$m.Dimensions.member.2.Name=Project"
    --data-urlencode "$m.Dimensions.member.2.Value=$PRISM_PROJECT"
    --data-urlencode "$m.Dimensions.member.3.Name=Template"
    --data-urlencode "$m.Dimensions.member.3.Value=$PRISM_TEMPLATE")
}
metric Idle "$idle" Count
metric CPULoadPercent "$cpu" Percent
metric SSHSessions "$ssh" Count
metric BusyKernels "$kernels" Count
metric RStudioSessions "$rstudio" Count
if [ -n "$gpu" ]; then metric GPUUtilizationPercent "$gpu" Percent; fi
if [ -n "$disk" ]; then metric RootDiskUsedPercent "$disk" Percent; fi
headers=()
if [ -n "$session" ]; then headers=(-H "X-Amz-Security-Token: $session"); fi
if curl -fsS --max-time 10 -o /dev/null --aws-sigv4 "aws:amz:$PRISM_REGION:monitoring" \
  --user "$key:$secret" "${headers[@]}" "${args[@]}" "$PRISM_ENDPOINT"; then
  echo "$summary published=yes"
else
  echo "$summary published=no (CloudWatch refused or could not be reached)"
  exit 1
fi
