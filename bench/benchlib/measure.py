"""Running one build of one tool and measuring it: wall time, the child's own CPU time and peak
RSS (from os.wait4, so nothing else on the machine is counted), and the pages it wrote."""

import glob
import os
import shutil
import subprocess
import time


# On ext4 without a journal (as on the reference machine), Linux does not hand out an inode freed
# less than 60 s ago, or 360 s while its inode-table block holds unwritten changes (which a build
# creating files next to it makes), and checks every such inode each time it allocates one
# (fs/ext4/ialloc.c: recently_deleted). A build started within minutes of a large delete spends
# seconds of system time skipping freed inodes, more after each delete. Timed builds therefore
# never start within this many seconds of a delete this benchmark made.
RECENTLY_DELETED_S = 370
# When the benchmark last deleted a tree, in seconds since the epoch (the kernel's clock).
DELETE_STAMP = ".last-delete"


class BuildFailed(Exception):
    """A build exited non-zero or wrote too few pages; the message says which and why."""


def scan_output(out_dir):
    """(.html files, bytes of all files) under out_dir, in one walk: at 100,000 articles the
    tree holds about 420,000 entries."""
    pages = size = 0
    for root, _, files in os.walk(out_dir):
        for name in files:
            pages += name.endswith(".html")
            try:
                size += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return pages, size


def tail(path, lines=25):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


def remove_output(out):
    """An output folder with everything a build keeps beside it (`.NAME.gazette*`: the cache
    files, however many there are, and the spare folder)."""
    parent, name = os.path.split(out)
    for path in [out, *glob.glob(os.path.join(parent, f".{name}.gazette*"))]:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        elif os.path.lexists(path):
            os.remove(path)


def clear(folders, out_root):
    """Deletes the given folders (ones this benchmark made), writes that to disk, and notes
    the time under out_root for settle()."""
    folders = [f for f in folders if os.path.lexists(f)]
    if not folders:
        return
    for folder in folders:
        shutil.rmtree(folder)
    os.sync()
    with open(os.path.join(out_root, DELETE_STAMP), "w") as f:
        f.write(f"{time.time():.0f}\n")


def settle(out_root, say):
    """Waits until RECENTLY_DELETED_S have passed since the last clear() under out_root."""
    try:
        with open(os.path.join(out_root, DELETE_STAMP)) as f:
            last = float(f.read())
    except (OSError, ValueError):
        return
    wait = last + RECENTLY_DELETED_S - time.time()
    if wait > 0:
        say(f"  (waiting {wait:.0f} s: for {RECENTLY_DELETED_S} s after a delete the "
            "filesystem is slow to create files, see bench/README.md)")
        time.sleep(wait)


def run_once(cmd, out_dir, log_path, env=None):
    """Runs cmd into out_dir, which must not exist yet, and returns the measurements of that
    one build.

    Every build writes a new folder, so it starts cold (Gazette would otherwise skip unchanged
    files) without deleting anything just before it (see RECENTLY_DELETED_S).
    """
    if os.path.lexists(out_dir):
        raise BuildFailed(f"{out_dir} already exists; every build needs a new folder")
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
    pages, size = scan_output(out_dir) if os.path.isdir(out_dir) else (0, 0)
    result = {
        "wall_s": round(wall, 4),
        "user_s": round(usage.ru_utime, 4),
        "sys_s": round(usage.ru_stime, 4),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 4),
        # Linux reports ru_maxrss in KiB.
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "exit": proc.returncode,
        "pages": pages,
        "output_mib": round(size / 2**20, 1),
    }
    if proc.returncode != 0:
        raise BuildFailed(f"exited with {proc.returncode}; last lines of {log_path}:\n"
                          f"{tail(log_path)}")
    return result


def check_output(out_dir, pages, manifest):
    """Raises BuildFailed unless the output (`pages` .html files, as run_once counted them)
    holds the pages every equivalent build must have."""
    n = manifest["n"]
    if pages < n:
        raise BuildFailed(f"wrote {pages} HTML pages for {n} articles in {out_dir}")
    for rel in ("index.html", "sitemap.xml", "tags/index.html", manifest["newest_page"]):
        if not os.path.isfile(os.path.join(out_dir, rel)):
            raise BuildFailed(f"{out_dir} has no {rel}")
