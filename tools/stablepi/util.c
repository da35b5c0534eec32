// SPDX-License-Identifier: GPL-2.0
/*
 * stablepi: messages, memory, numbers and sysfs.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stablepi.h"

int verbose;

static void vmsg(const char *fmt, va_list ap)
{
	fputs("stablepi: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* An error: the reason the command fails. */
void err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

/* A notice the user should see (on standard error). */
void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

/* A notice shown with -v only. */
void vnote(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

static void out_of_memory(void)
{
	fputs("stablepi: out of memory\n", stderr);
	exit(EXIT_FAILED);
}

void *xmalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p)
		out_of_memory();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		out_of_memory();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		out_of_memory();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		out_of_memory();
	return s;
}

/*
 * A decimal number from @min to @max: digits only (no sign, blank, prefix
 * or fraction).  Returns 0, -ERANGE when out of range, -EINVAL otherwise.
 */
int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *p;

	if (!*s)
		return -EINVAL;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/*
 * A number of 512-byte sectors, or a size in bytes with a K, M, G or T
 * suffix (powers of 1024, either case) that is a whole number of sectors.
 */
int parse_size_sectors(const char *s, uint64_t *sectors)
{
	size_t n = strlen(s);
	unsigned int shift = 0;
	uint64_t v;
	char num[32];
	int r;

	if (!n || n >= sizeof(num))
		return -EINVAL;
	switch (tolower((unsigned char)s[n - 1])) {
	case 'k': shift = 10; break;
	case 'm': shift = 20; break;
	case 'g': shift = 30; break;
	case 't': shift = 40; break;
	}
	memcpy(num, s, n + 1);
	if (shift)
		num[--n] = '\0';
	r = parse_u64(num, 0, UINT64_MAX >> SECTOR_SHIFT, &v);
	if (r)
		return r;
	if (!shift) {
		*sectors = v;
		return 0;
	}
	if (v > (UINT64_MAX >> shift))
		return -ERANGE;
	/* Every suffix is a multiple of the sector size. */
	*sectors = (v << shift) >> SECTOR_SHIFT;
	return 0;
}

/* Read a sysfs attribute, without its trailing newline. */
int read_sysfs(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

int read_sysfs_u64(const char *path, uint64_t *v)
{
	char buf[32];
	int r;

	r = read_sysfs(path, buf, sizeof(buf));
	if (r)
		return r;
	return parse_u64(buf, 0, UINT64_MAX, v);
}

/* "1.5 GiB": IEC units, one decimal. */
const char *human_bytes(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)bytes;
	unsigned int u = 0;

	if (bytes < 1024) {
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
		return buf;
	}
	v /= 1024;
	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}

/*
 * Names device-mapper accepts: 1 to 127 bytes, no '/', not "." or "..".
 * Blanks and control characters are refused too: they make unusable
 * /dev/mapper names and table output that cannot be read back.
 */
int valid_dm_name(const char *name, const char **why)
{
	const unsigned char *p;

	if (!*name) {
		*why = "it is empty";
		return 0;
	}
	if (strlen(name) > 127) {
		*why = "it is longer than 127 bytes";
		return 0;
	}
	if (!strcmp(name, ".") || !strcmp(name, "..")) {
		*why = "'.' and '..' are not device names";
		return 0;
	}
	for (p = (const unsigned char *)name; *p; p++) {
		if (*p == '/') {
			*why = "it contains '/' (give the name, not a path)";
			return 0;
		}
		if (*p <= ' ' || *p == 0x7f) {
			*why = "it contains a blank or a control character";
			return 0;
		}
	}
	return 1;
}
