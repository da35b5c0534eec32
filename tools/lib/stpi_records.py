# SPDX-License-Identifier: GPL-2.0
"""What a stablepi device reports, parsed: its status counters, its
violation records and who owned the pages they name.  Shared by
tools/lib/fstests-report and tools/lib/report-render."""

import os

# dmsetup status of a stablepi target: these counters after "stablepi", in
# this order (docs/dm-stablepi.rst, Status).  Older targets print fewer.
COUNTERS = ("writes", "write_bytes", "intervals", "changed_dispatch",
            "changed_completion", "lower_pi_errors", "read_pi_errors",
            "absorbed", "repaired", "retry_failed", "changed_failed",
            "reads", "read_bytes", "lower_errors", "deferred", "reissued",
            "expedited")

# The counters every target version since 1.0 prints.
MIN_COUNTERS = 16

# Files visited at most when looking for the path of an inode.
WALK_LIMIT = 20000


class RecordError(Exception):
    pass


def parse_status(text, where):
    """Counters of one device from its dmsetup status line."""
    words = text.split()
    if len(words) < 3 + MIN_COUNTERS or words[2] != "stablepi":
        raise RecordError(f"{where}: not a stablepi status line: {text.strip()!r}")
    try:
        values = [int(w) for w in words[3:3 + len(COUNTERS)]]
    except ValueError:
        raise RecordError(f"{where}: non-numeric counter in {text.strip()!r}")
    counters = dict.fromkeys(COUNTERS, 0)
    counters.update(zip(COUNTERS, values))
    return counters


def parse_record(line):
    """One violation record: key=value fields, comm last (may hold spaces)."""
    head, sep, comm = line.partition(" comm=")
    fields = dict(w.split("=", 1) for w in head.split() if "=" in w)
    fields["comm"] = comm if sep else ""
    return fields


def parse_violations(text):
    """(total, records) from the output of the violations message."""
    lines = [l for l in text.splitlines() if l.strip()]
    total = 0
    if lines and lines[0].startswith("violations "):
        total = int(parse_record(lines[0]).get("total", "0"))
        lines = lines[1:]
    return total, [parse_record(l) for l in lines if l.startswith("seq=")]


def find_inode(mountpoint, ino):
    """Path of inode ino under mountpoint (one filesystem), or None."""
    seen = 0
    try:
        os.lstat(mountpoint)
    except OSError:
        return None
    for root, dirs, files in os.walk(mountpoint):
        for name in dirs + files:
            seen += 1
            if seen > WALK_LIMIT:
                return None
            path = os.path.join(root, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if st.st_ino == ino:
                return os.path.relpath(path, mountpoint)
        # Stay on this filesystem, but enter btrfs subvolumes (which
        # have their own st_dev) since they belong to the same one.
        dirs[:] = [d for d in dirs
                   if not os.path.ismount(os.path.join(root, d))]
    return None


def owner_class(rec, bdev):
    """(class, name) of the owner of one record; bdev names the device.

    file:     a page-cache page of a file of the filesystem under test
    metadata: a page of the block device's own page cache (buffer heads:
              bitmaps, inode tables, directory blocks of ext4 and the like)
    journal:  a page without writeback owner submitted by a journal thread
    anon:     any other page: an O_DIRECT buffer, a filesystem's private
              buffer (xfs log and metadata buffers)
    """
    comm = rec.get("comm", "")
    if rec.get("owner") == "file":
        if rec.get("sb") == "bdev":
            return "metadata", f"block device {bdev}"
        return "file", f"ino {rec.get('ino')} on {rec.get('sb')}"
    if comm.startswith("jbd2/"):
        return "journal", comm
    return "anon", comm or "?"
