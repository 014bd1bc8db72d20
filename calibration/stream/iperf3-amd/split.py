#!/usr/bin/env python3
"""Splits each stage's cost into a per-crossing and a per-byte part from two
calibrations of one path at two packet sizes: `cnisim calibrate perf
--format json` of the MTU-sized captures (offloads off) and of the
super-packet capture (offloads on). For stage k, capture X gives cycles per
data packet c = a n + b beta, with n its crossings per data packet (data
crossings plus the ACKs' share) and beta the IP bytes those crossings carry;
two captures, two unknowns. A negative per-crossing part (softirq: its
cycles grow faster than linearly with the skb) is set to 0 and the per-byte
part taken from the super-packets alone. Stages priced per call or wake-up
(syscall, sched) are left to the base profile. Prints a calibration layer
(TOML) to lay over the base profile.

    python3 split.py off.json on.json > split.toml
"""
import json
import sys


def stage_row(d, k):
    s = d["stages"][k]
    per_pkt = d["bytes"] / d["packets"] + 52  # IP bytes of a data packet
    acks = d["acks_per_packet"]
    n = s["data_crossings"] + acks * s["ack_crossings"]
    beta = per_pkt * s["data_crossings"] + 52 * acks * s["ack_crossings"]
    return s["cpp"], n, beta


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: split.py OFF.json ON.json")
    off, on = (json.load(open(p)) for p in sys.argv[1:])
    print('name = "split"')
    print('description = "per-crossing and per-byte parts of each stage from two calibrate perf runs at two packet sizes (split.py)"')
    print("cpu_ghz = 2.596")
    for k in sorted(on["stages"]):
        s = on["stages"][k]
        if s.get("call_crossings") or s["data_crossings"] == 0 or k not in off["stages"]:
            continue
        c1, n1, b1 = stage_row(off, k)
        c2, n2, b2 = stage_row(on, k)
        det = n1 * b2 - n2 * b1
        a, b = (c1 * b2 - c2 * b1) / det, (n1 * c2 - n2 * c1) / det
        how = (f"solved from {c1:.1f} cycles per data packet at {n1:.4f} crossings and {b1:.0f} IP bytes (offloads off) "
               f"and {c2:.1f} at {n2:.4f} and {b2:.0f} (offloads on)")
        if a < 0:
            a, b = 0.0, c2 / b2
            how += "; the per-crossing part came out negative, so 0, and the per-byte part the super-packets' alone"
        elif b < 0:
            a, b = c1 / n1, 0.0
            how += "; the per-byte part came out negative, so 0, and the per-crossing part the MTU-sized packets' alone"
        print()
        print("[[cost]]")
        print(f'stage = "{k}"')
        print(f"cycles = {a:.1f}")
        print(f"cycles_per_byte = {b:.5f}")
        print('plugin = "calico"\nmode = "native"\nplacement = "intra"\nprovenance = "derived"')
        print(f'source = "split.py: c = a x crossings + b x bytes, {how}"')


if __name__ == "__main__":
    main()
