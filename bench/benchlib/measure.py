"""Running one build of one tool and measuring it: wall time, the child's own CPU time and peak
RSS (from os.wait4, so nothing else on the machine is counted), and the pages it wrote."""

import os
import shutil
import subprocess
import time


class BuildFailed(Exception):
    """A build exited non-zero or wrote too few pages; the message says which and why."""


def count_pages(out_dir):
    """Number of .html files under out_dir."""
    total = 0
    for _, _, files in os.walk(out_dir):
        total += sum(1 for name in files if name.endswith(".html"))
    return total


def tail(path, lines=25):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


def run_once(cmd, out_dir, log_path, env=None):
    """Runs cmd into a fresh out_dir and returns the measurements of that one build.

    out_dir is removed first so every build starts cold (Gazette would otherwise skip
    unchanged files); callers only pass folders under bench/out that this benchmark made.
    """
    if os.path.exists(out_dir):
        shutil.rmtree(out_dir)
    os.makedirs(os.path.dirname(out_dir), exist_ok=True)
    # Write back the previous build's files now, untimed, so this build does not pay for them.
    os.sync()
    with open(log_path, "w") as log:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    # Tell Popen the child is reaped, so it does not try to wait for it again.
    proc.returncode = os.waitstatus_to_exitcode(status)
    result = {
        "wall_s": round(wall, 4),
        "user_s": round(usage.ru_utime, 4),
        "sys_s": round(usage.ru_stime, 4),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 4),
        # Linux reports ru_maxrss in KiB.
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "exit": proc.returncode,
        "pages": count_pages(out_dir) if os.path.isdir(out_dir) else 0,
    }
    if proc.returncode != 0:
        raise BuildFailed(f"exited with {proc.returncode}; last lines of {log_path}:\n"
                          f"{tail(log_path)}")
    return result


def check_output(out_dir, manifest):
    """Raises BuildFailed unless the output holds the pages every equivalent build must have."""
    n = manifest["n"]
    pages = count_pages(out_dir)
    if pages < n:
        raise BuildFailed(f"wrote {pages} HTML pages for {n} articles in {out_dir}")
    for rel in ("index.html", "sitemap.xml", "tags/index.html", manifest["newest_page"]):
        if not os.path.isfile(os.path.join(out_dir, rel)):
            raise BuildFailed(f"{out_dir} has no {rel}")
