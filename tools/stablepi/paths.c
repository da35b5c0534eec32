// SPDX-License-Identifier: GPL-2.0
/*
 * stablepi: the path of a file page's inode.
 *
 * A violation record of a page-cache page names the filesystem by its
 * device number and the file by its inode number.  Linux has no call from
 * an inode number to a name, so the filesystem's mount is searched: a walk
 * of its directories that reads directory entries (their d_ino) without a
 * stat per file, stays on that filesystem, and stops when every wanted
 * inode is found or after PATH_SEARCH_MAX entries.  A found name is
 * checked with fstatat() (same device and inode), so a path is only shown
 * when the file exists under it now.  Each filesystem is searched at most
 * once per PATH_RESEARCH_S seconds (with --follow, for inodes not seen
 * before).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "stablepi.h"

#define PATH_SEARCH_MAX		100000
#define PATH_RESEARCH_S		5
#define PATH_DEPTH_MAX		64

enum state { WANTED, FOUND, MISSING };

struct path_entry {
	unsigned int major, minor;
	uint64_t ino;
	enum state state;
	char *path;
};

struct fs_scan {
	unsigned int major, minor;
	time_t last;		/* when it was last searched, 0 never */
};

struct path_cache {
	struct path_entry *e;
	unsigned int n;
	struct fs_scan *fs;
	unsigned int nfs;
};

struct path_cache *path_cache_new(void)
{
	return xmalloc(sizeof(struct path_cache));
}

void path_cache_free(struct path_cache *pc)
{
	unsigned int i;

	if (!pc)
		return;
	for (i = 0; i < pc->n; i++)
		free(pc->e[i].path);
	free(pc->e);
	free(pc->fs);
	free(pc);
}

static time_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + 1;	/* never 0 */
}

static struct fs_scan *fs_of(struct path_cache *pc, unsigned int major,
			     unsigned int minor)
{
	unsigned int i;

	for (i = 0; i < pc->nfs; i++)
		if (pc->fs[i].major == major && pc->fs[i].minor == minor)
			return &pc->fs[i];
	pc->fs = xrealloc(pc->fs, (pc->nfs + 1) * sizeof(*pc->fs));
	pc->fs[pc->nfs] = (struct fs_scan) { .major = major, .minor = minor };
	return &pc->fs[pc->nfs++];
}

static struct path_entry *find(struct path_cache *pc, unsigned int major,
			       unsigned int minor, uint64_t ino)
{
	unsigned int i;

	/* Records come in runs of the same few inodes: search from the end. */
	for (i = pc->n; i-- > 0;)
		if (pc->e[i].ino == ino && pc->e[i].major == major &&
		    pc->e[i].minor == minor)
			return &pc->e[i];
	return NULL;
}

void path_want(struct path_cache *pc, unsigned int major, unsigned int minor,
	       uint64_t ino)
{
	struct path_entry *e = find(pc, major, minor, ino);
	struct fs_scan *fs;

	if (e) {
		fs = fs_of(pc, major, minor);
		if (e->state == MISSING && now_s() - fs->last >= PATH_RESEARCH_S)
			e->state = WANTED;
		return;
	}
	pc->e = xrealloc(pc->e, (pc->n + 1) * sizeof(*pc->e));
	pc->e[pc->n++] = (struct path_entry) {
		.major = major, .minor = minor, .ino = ino, .state = WANTED,
	};
}

struct walk {
	struct path_cache *pc;
	unsigned int major, minor;
	dev_t dev;
	unsigned int wanted;	/* still to find */
	unsigned long visited;
};

/* Found @ino at @path (maybe): check it and keep it. */
static void found(struct walk *w, int dfd, const char *name, const char *path,
		  uint64_t ino)
{
	struct path_entry *e = find(w->pc, w->major, w->minor, ino);
	struct stat st;

	if (!e || e->state != WANTED)
		return;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) ||
	    st.st_ino != ino || st.st_dev != w->dev)
		return;
	free(e->path);
	e->path = xstrdup(path);
	e->state = FOUND;
	w->wanted--;
}

static void walk_dir(struct walk *w, int dfd, const char *path, unsigned int depth)
{
	struct dirent *de;
	struct stat st;
	char *sub;
	DIR *d;
	int fd;

	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	while (w->wanted && w->visited < PATH_SEARCH_MAX && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		w->visited++;
		sub = xasprintf("%s%s%s", path, strcmp(path, "/") ? "/" : "",
				de->d_name);
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN) {
			found(w, dirfd(d), de->d_name, sub, de->d_ino);
			free(sub);
			continue;
		}
		/* A directory, or not known to be none: its own device? */
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    st.st_dev != w->dev) {
			free(sub);
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			found(w, dirfd(d), de->d_name, sub, st.st_ino);
		} else if (depth < PATH_DEPTH_MAX) {
			fd = openat(dirfd(d), de->d_name,
				    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd >= 0)
				walk_dir(w, fd, sub, depth + 1);
		}
		free(sub);
	}
	closedir(d);
}

/* Search the filesystems of the wanted inodes. */
void path_resolve(struct path_cache *pc)
{
	unsigned int i, j;
	struct fs_scan *fs;
	struct walk w;
	char *mp;
	int fd;

	for (i = 0; i < pc->n; i++) {
		if (pc->e[i].state != WANTED)
			continue;
		w = (struct walk) {
			.pc = pc, .major = pc->e[i].major, .minor = pc->e[i].minor,
			.dev = makedev(pc->e[i].major, pc->e[i].minor),
		};
		for (j = i; j < pc->n; j++)
			if (pc->e[j].state == WANTED && pc->e[j].major == w.major &&
			    pc->e[j].minor == w.minor)
				w.wanted++;
		fs = fs_of(pc, w.major, w.minor);
		fs->last = now_s();
		mp = mount_point_of(w.major, w.minor, NULL);
		if (mp) {
			fd = open(mp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (fd >= 0)
				walk_dir(&w, fd, mp, 0);
			vnote("searched %s (%u:%u) for inodes: %lu entries, %u not found",
			      mp, w.major, w.minor, w.visited, w.wanted);
			free(mp);
		}
		for (j = i; j < pc->n; j++)
			if (pc->e[j].state == WANTED && pc->e[j].major == w.major &&
			    pc->e[j].minor == w.minor)
				pc->e[j].state = MISSING;
	}
}

const char *path_lookup(struct path_cache *pc, unsigned int major,
			unsigned int minor, uint64_t ino)
{
	struct path_entry *e = find(pc, major, minor, ino);
	struct stat st;

	if (!e || e->state != FOUND)
		return NULL;
	/* Still that file?  It may have been removed or renamed since. */
	if (lstat(e->path, &st) || st.st_ino != ino ||
	    st.st_dev != makedev(major, minor)) {
		e->state = MISSING;
		return NULL;
	}
	return e->path;
}
