/** Shell lines (sh) a hostile build or storm program runs: each says what it was refused. */

/** What both try: the host's sysctls, a capability, what they are and may become. */
export const hostileLines = [
  'cat /proc/self/uid_map',
  "grep -E '^(NoNewPrivs|CapEff|CapBnd|CapAmb):' /proc/self/status | sed 's/^/STATUS /'",
  // Each writes back the value it read: should the sandbox ever fail, the host is still unchanged.
  'v=$(cat /proc/sys/kernel/core_pattern); { echo "$v" > /proc/sys/kernel/core_pattern; } 2>/dev/null || echo REFUSED-CORE-PATTERN',
  'v=$(cat /proc/sys/kernel/core_uses_pid); { echo "$v" > /proc/sys/kernel/core_uses_pid; } 2>/dev/null || echo REFUSED-CORE-USES-PID',
  'v=$(cat /proc/sys/net/ipv4/ip_forward); { echo "$v" > /proc/sys/net/ipv4/ip_forward; } 2>/dev/null || echo REFUSED-NET',
  'ip link add sigstorm0 type dummy 2>/dev/null || echo REFUSED-CAPABILITY',
  'env | grep -q WEBHOOK_SECRET && echo SAW-SECRET || true',
];

/** What only the build tries: leave set-id and capable files in its tree. */
export const buildOnlyLines = [
  'cp /bin/sh rootsh && chmod 4755 rootsh && echo MADE-SETUID',
  'cp /bin/sh groupsh && chmod 2755 groupsh && echo MADE-SETGID',
  'cp /bin/sh capsh && (setcap cap_net_admin+ep capsh 2>/dev/null || echo REFUSED-SETCAP)',
];
