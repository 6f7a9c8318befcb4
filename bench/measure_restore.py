#!/usr/bin/env python3
"""Measures a restore of a seeded sandbox into an empty one and prints the
lower bound its dependency levels allow (not a test: it asserts nothing).

  measure_restore.py BUILD_DIR [--size small] [--latency-ms 20] [--concurrency 8]

bound = sum over levels of ceil(requests at the level / concurrency) * latency,
where a level holds the writes that need only earlier levels: users and
projects; steps and fields; roles (they name a step) and field values; tickets; tasks and top-level
notes; then one level per reply depth, files after their note, and the PUTs
(done tasks, archived tickets) after what they finish.
"""
import argparse, json, math, os, re, subprocess, sys, tempfile, time, urllib.request
from collections import Counter


def start_sandbox(binary, work, name, size, latency):
    port_file = os.path.join(work, name + ".port")
    args = [binary, "--port", "0", "--port-file", port_file, "--size", size, "--log-level", "warn"]
    if latency:
        args += ["--latency-ms", str(latency)]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(2000):
        if os.path.exists(port_file) and open(port_file).read().endswith("\n"):
            return proc, int(open(port_file).read())
        time.sleep(0.01)
    sys.exit("the sandbox did not start")


def admin(port, path, body=None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/__admin/{path}", data=body,
                                     method="POST" if body is not None else "GET")
    return json.load(urllib.request.urlopen(request))


def write_levels(dump):
    """Writes per dependency level of a restore of `dump` into an empty account."""
    levels = Counter()
    levels[0] += len(dump["users"]) - 1 + len(dump["projects"])  # the admin exists
    levels[1] += len(dump["steps"]) + len(dump["custom_fields"])
    # Every project's default role exists already and is updated by one PUT.
    levels[2] += len(dump["custom_field_values"]) + len(dump["roles"])
    levels[3] += len(dump["tickets"])
    notes = {n["id"]: n for n in dump["notes"]}

    def depth(note):
        d = 0
        while note.get("parent_id") in notes:
            note, d = notes[note["parent_id"]], d + 1
        return d

    last_child = {}
    for task in dump["tasks"]:
        levels[4] += 1
        if task["done"]:
            levels[5] += 1
        last_child[task["ticket_id"]] = max(last_child.get(task["ticket_id"], 4), 4 + task["done"])
    note_level = {}
    for note in dump["notes"]:
        note_level[note["id"]] = 4 + depth(note)
        levels[note_level[note["id"]]] += 1
        last_child[note["ticket_id"]] = max(last_child.get(note["ticket_id"], 4), note_level[note["id"]])
    for f in dump["files"]:
        level = note_level[f["note_id"]] + 1
        levels[level] += 1
        last_child[f["ticket_id"]] = max(last_child.get(f["ticket_id"], 4), level)
    for ticket in dump["tickets"]:
        if ticket["archived"]:
            levels[last_child.get(ticket["id"], 3) + 1] += 1
    return levels


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build")
    parser.add_argument("--size", default="small")
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    backup = os.path.join(args.build, "daemon", "smartq-backup")
    sandbox = os.path.join(args.build, "sandbox", "smartq-sandbox")
    with tempfile.TemporaryDirectory() as work:
        a, a_port = start_sandbox(sandbox, work, "a", args.size, 0)
        b, b_port = start_sandbox(sandbox, work, "b", "empty", args.latency_ms)
        try:
            config = os.path.join(work, "config.toml")
            with open(config, "w") as out:
                out.write(f'data_dir = "{work}/data"\nconcurrency = {args.concurrency}\n')
                for name, port in (("a", a_port), ("b", b_port)):
                    out.write(f'[accounts.{name}]\nurl = "http://127.0.0.1:{port}"\n'
                              'login = "admin@sandbox.test"\npassword_env = "SQ_PASSWORD"\n'
                              'api_key_env = "SQ_KEY"\n')
            env = dict(os.environ, SQ_PASSWORD="sandbox-password", SQ_KEY="sandbox-key")
            subprocess.run([backup, "--config", config, "sync", "--account", "a"], env=env,
                           check=True, stdout=subprocess.DEVNULL)
            started = time.monotonic()
            done = subprocess.run([backup, "--config", config, "restore", "--from", "a", "--to", "b"],
                                  env=env, capture_output=True, text=True)
            wall = time.monotonic() - started
            dump = admin(a_port, "dump")
            stats = admin(b_port, "stats")
            equal = admin(b_port, "compare?with=current", json.dumps(dump).encode())["equal"]
        finally:
            a.terminate(); b.terminate()
    levels = write_levels(dump)
    bound = sum(math.ceil(n / args.concurrency) for n in levels.values()) * args.latency_ms / 1000
    writes = sum(n for m, n in stats["by_method"].items() if m != "GET")
    print(f"size {args.size}, latency {args.latency_ms} ms, concurrency {args.concurrency}: "
          f"exit {done.returncode}, equal {equal}")
    print(f"requests on the target: {stats['total']} ({writes} writes; planned writes "
          f"{sum(levels.values())}), wall time {wall:.2f} s (replay + read-back verification)")
    replay = None
    for line in done.stdout.splitlines():
        if line.startswith("requests:"):
            print("replay " + line)
            replay = float(re.search(r" in ([0-9.]+) s", line).group(1))
        if line.startswith("verified"):
            print(line)
    print("writes per level: " + ", ".join(f"{k}:{v}" for k, v in sorted(levels.items())))
    if args.latency_ms:
        print(f"bound of the writes {bound:.2f} s; replay / bound = {replay / bound:.2f}")


if __name__ == "__main__":
    main()
