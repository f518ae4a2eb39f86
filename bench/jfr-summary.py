#!/usr/bin/env python3
"""Summarises jdk.ExecutionSample events of a JFR recording: samples per thread group, and the
hottest top frames and dev.sluice frames per group.  Usage: bench/jfr-summary.py recording.jfr [top]"""
import collections, re, subprocess, sys

jfr = sys.argv[1]
top = int(sys.argv[2]) if len(sys.argv) > 2 else 15
java_home = subprocess.run(["bash", "-c", "ls -d /usr/lib/jvm/*25*/bin/jfr 2>/dev/null | head -1"], capture_output=True, text=True).stdout.strip() or "jfr"
text = subprocess.run([java_home, "print", "--events", "jdk.ExecutionSample", "--stack-depth", "64", jfr],
                      capture_output=True, text=True).stdout

def group(thread):
    for prefix, name in [("sluice-sink", "sluice-sink"), ("sluice-work", "sluice-work"), ("sluice-poll", "sluice-poll"),
                         ("bench-sink", "sink-only"), ("naive", "naive"), ("org.springframework.kafka.KafkaListenerEndpointContainer", "naive"),
                         ("data-plane", "kafka-broker"), ("kafka", "kafka-broker"), ("broker", "kafka-broker"),
                         ("ForkJoinPool", "virtual-carrier"), ("GC", "gc"), ("C2", "jit"), ("C1", "jit")]:
        if prefix in thread:
            return name
    return "other:" + re.sub(r"\d+", "N", thread)[:40]

groups = collections.Counter()
tops = collections.defaultdict(collections.Counter)
ours = collections.defaultdict(collections.Counter)
for event in text.split("jdk.ExecutionSample")[1:]:
    m = re.search(r'sampledThread = "([^"]*)"', event)
    thread = m.group(1) if m else "?"
    frames = re.findall(r"^\s+([\w$.<>/]+\([^)]*\))\s+line:", event, re.M)
    if not frames:
        continue
    g = group(thread)
    if g == "virtual-carrier" or thread == "":
        g = "virtual(" + next((f.split("(")[0].rsplit(".", 1)[0].rsplit(".", 1)[-1] for f in reversed(frames) if "dev.sluice" in f), "?") + ")"
    groups[g] += 1
    tops[g][frames[0].split("(")[0]] += 1
    sluice = next((f.split("(")[0] for f in frames if "dev.sluice" in f), None)
    if sluice:
        ours[g][sluice] += 1

total = sum(groups.values())
print(f"{total} samples")
for g, n in groups.most_common(12):
    print(f"\n== {g}: {n} samples ({100.0 * n / total:.1f} %)")
    for frame, c in tops[g].most_common(top):
        print(f"   {c:6d}  {frame}")
    if ours[g]:
        print("   -- innermost dev.sluice frame:")
        for frame, c in ours[g].most_common(8):
            print(f"   {c:6d}  {frame}")
