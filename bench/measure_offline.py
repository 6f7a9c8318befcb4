#!/usr/bin/env python3
"""Measures the account offline on a synced sandbox account and prints the
figures of issue 15's closing note (not a test: it asserts nothing).

  measure_offline.py BUILD_DIR [--size medium] [--seed 7] [--runs 20] [--work DIR]

- the replica's size and its full-text indexes' (FTS5's shadow tables, by dbstat),
  and the covering indexes the search reads;
- a one-word search: the median of RUNS runs of `smartq-backup search`, and of
  its statements alone (the SQL of store/search.cpp, read from the source, run
  by Python's sqlite3 on the same replica), for the word most tickets hold
  and for a word of a hundred tickets;
- `export`: wall time, size and number of files;
- `serve`: time from starting the program to the whole first page of a board
  and of a ticket, and of each page again once serving.

The sandbox (seeded, files included) is synced into WORK (default: a
temporary directory, removed after); with --work a replica already there is
synced again, which changes nothing when the seed is the same.
"""
import argparse, os, re, shutil, sqlite3, statistics, subprocess, sys, tempfile, time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def start_sandbox(binary, work, size, seed):
    port_file = os.path.join(work, "sandbox.port")
    if os.path.exists(port_file):
        os.remove(port_file)
    args = [binary, "--port", "0", "--port-file", port_file, "--size", size, "--seed", str(seed),
            "--login", "admin@sandbox.test", "--password", "sandbox-password",
            "--api-key", "sandbox-key", "--log-level", "warn"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(3000):
        if os.path.exists(port_file) and open(port_file).read().endswith("\n"):
            return proc, int(open(port_file).read())
        time.sleep(0.01)
    sys.exit("the sandbox did not start")


def write_config(work, account, port):
    for name, secret in (("password", "sandbox-password"), ("api-key", "sandbox-key")):
        path = os.path.join(work, name)
        with open(path, "w") as f:
            f.write(secret)
        os.chmod(path, 0o600)
    config = os.path.join(work, "offline.toml")
    with open(config, "w") as f:
        f.write(f'data_dir = "{work}/data"\nlog_level = "warn"\n\n[accounts.{account}]\n'
                f'url = "http://127.0.0.1:{port}"\nlogin = "admin@sandbox.test"\n'
                f'password_file = "{work}/password"\napi_key_file = "{work}/api-key"\n')
    return config


def mib(n):
    return f"{n / 1048576:.1f} MiB"


def ms(seconds):
    return f"{seconds * 1000:.1f} ms"


def median_time(action, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def sizes(db_path):
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    total = db.execute("SELECT page_count * page_size FROM pragma_page_count, pragma_page_size"
                       ).fetchone()[0]
    fts = db.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'tickets_fts%' "
                     "OR name LIKE 'notes_fts%'").fetchone()[0] or 0
    lookups = db.execute("SELECT sum(pgsize) FROM dbstat WHERE name IN "
                         "('tickets_search', 'notes_search')").fetchone()[0] or 0
    counts = db.execute("SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM notes)"
                        ).fetchone()
    return total, fts, lookups, counts


def words(db_path):
    """The word most tickets hold, and a word of about a hundred tickets."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    db.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, tickets_fts, row)")
    common = db.execute("SELECT term, doc FROM temp.vocab WHERE term GLOB '[a-z]*' "
                        "ORDER BY doc DESC LIMIT 1").fetchone()
    rare = db.execute("SELECT term, doc FROM temp.vocab WHERE term GLOB '[a-z]*' "
                      "ORDER BY abs(doc - 100) LIMIT 1").fetchone()
    return [common, rare]


def search_statements():
    """The ranking statement of store/search.cpp and its two snippet statements."""
    source = open(os.path.join(HERE, "..", "store", "search.cpp")).read()
    rank = re.search(r'kRankSql = R"sql\((.*?)\)sql"', source, re.S).group(1)

    def literal(name):
        parts = re.search(name + r' =\s*((?:"[^"]*"\s*)+);', source).group(1)
        return "".join(re.findall(r'"([^"]*)"', parts))
    return rank, literal("kTicketSnippetSql"), literal("kNoteSnippetSql")


def search_alone(db, statements, word):
    """What search() does on the live replica, without the program around it."""
    rank, ticket_snippet, note_snippet = statements
    for row in db.execute(rank, (word, None, 50)).fetchall():
        if row[0] == "ticket":
            db.execute(ticket_snippet, (word, row[3])).fetchone()
        else:
            db.execute(note_snippet, (word, row[5])).fetchone()


def first_page_times(backup, config, account, paths):
    """Seconds from starting `serve` to each page read whole, then of each page again."""
    results = []
    for path in paths:
        start = time.perf_counter()
        proc = subprocess.Popen([backup, "--config", config, "serve", "--account", account,
                                 "--listen", "127.0.0.1:0"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            line = proc.stdout.readline()
            url = re.search(r"(http://\S+?)/? ", line).group(1)
            body = urllib.request.urlopen(url + path).read()
            first = time.perf_counter() - start
            again = median_time(lambda: urllib.request.urlopen(url + path).read(), 5)
            results.append((path, first, again, len(body)))
        finally:
            proc.terminate()
            proc.wait()
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build")
    parser.add_argument("--size", default="medium")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--work")
    args = parser.parse_args()
    backup = os.path.join(args.build, "daemon", "smartq-backup")
    sandbox_bin = os.path.join(args.build, "sandbox", "smartq-sandbox")
    work = args.work or tempfile.mkdtemp(prefix="measure-offline-")
    os.makedirs(work, exist_ok=True)
    account = args.size
    db_path = os.path.join(work, "data", account, "replica.db")

    sandbox, port = start_sandbox(sandbox_bin, work, args.size, args.seed)
    try:
        config = write_config(work, account, port)
        start = time.perf_counter()
        subprocess.run([backup, "--config", config, "sync", "--account", account], check=True)
        sync_wall = time.perf_counter() - start
    finally:
        sandbox.terminate()
        sandbox.wait()

    total, fts, lookups, (tickets, notes) = sizes(db_path)
    print(f"# account offline, {args.size} (seed {args.seed}), "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{subprocess.run(['git', '-C', HERE, 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True).stdout.strip()}, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"- sync before measuring: {sync_wall:.2f} s; {tickets} tickets, {notes} notes")
    print(f"- replica {mib(total)}; full-text indexes {mib(fts)}, "
          f"{100 * fts / total:.1f}% of it; the search's covering indexes {mib(lookups)}")

    statements = search_statements()
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    for word, doc_count in words(db_path):
        command = median_time(lambda: subprocess.run(
            [backup, "--config", config, "search", "--account", account, word],
            check=True, stdout=subprocess.DEVNULL), args.runs)
        alone = median_time(lambda: search_alone(db, statements, word), args.runs)
        print(f"- search '{word}' (in {doc_count} tickets' index): command {ms(command)}, "
              f"statement alone {ms(alone)} (median of {args.runs}; target <= 50 ms)")

    out = os.path.join(work, "export")
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    subprocess.run([backup, "--config", config, "export", "--account", account, "--to", out],
                   check=True, stdout=subprocess.DEVNULL)
    export_wall = time.perf_counter() - start
    files = [os.path.join(d, f) for d, _, names in os.walk(out) for f in names]
    size = sum(os.path.getsize(f) for f in files)
    print(f"- export: {export_wall:.2f} s, {mib(size)} in {len(files)} files")

    project, ticket = db.execute(
        "SELECT project_id, id FROM tickets WHERE deleted_at IS NULL AND id IN "
        "(SELECT ticket_id FROM notes) ORDER BY id LIMIT 1").fetchone()
    for path, first, again, length in first_page_times(
            backup, config, account, [f"/projects/{project}", f"/tickets/{ticket}"]):
        print(f"- serve {path} ({length // 1024} KiB): first page {ms(first)} from start, "
              f"then {ms(again)} a page")
    if not args.work:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
