#include "common/fsutil.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int anvil_mkdir_p(const char *path, char *err, size_t errlen)
{
	char *p = strdup(path);
	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, 0777) != 0 && errno != EEXIST) {
				snprintf(err, errlen, "%s: cannot create directory: %s", p, strerror(errno));
				free(p);
				return -1;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: exists and is not a directory", path);
		return -1;
	}
	return 0;
}

int anvil_write_atomic(const char *dir, const char *name, const void *data, size_t len,
		       char *err, size_t errlen)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		snprintf(err, errlen, "%s: cannot open directory: %s", dir, strerror(errno));
		return -1;
	}
	char tmp[256];
	int fd = -1;
	for (int i = 0; i < 100 && fd < 0; i++) {
		snprintf(tmp, sizeof(tmp), ".%s.tmp.%d.%d", name, (int)getpid(), i);
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		snprintf(err, errlen, "%s/%s: cannot create: %s", dir, name, strerror(errno));
		close(dfd);
		return -1;
	}
	const char *p = data;
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, p + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(err, errlen, "%s/%s: cannot write: %s", dir, name,
				 errno == ENOSPC ? "no space left on the device" : strerror(errno));
			goto err;
		}
		off += (size_t)w;
	}
	if (fsync(fd) != 0) {
		snprintf(err, errlen, "%s/%s: fsync failed: %s", dir, name, strerror(errno));
		goto err;
	}
	close(fd);
	if (renameat(dfd, tmp, dfd, name) != 0) {
		snprintf(err, errlen, "%s/%s: cannot rename into place: %s", dir, name, strerror(errno));
		unlinkat(dfd, tmp, 0);
		close(dfd);
		return -1;
	}
	close(dfd);
	return 0;
err:
	close(fd);
	unlinkat(dfd, tmp, 0);  /* nothing half-written is left behind */
	close(dfd);
	return -1;
}

int anvil_dir_writable(const char *dir, char *err, size_t errlen)
{
	char probe[] = ".anvil-probe";
	if (anvil_write_atomic(dir, probe, "", 0, err, errlen))
		return -1;
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, probe);
	unlink(path);
	return 0;
}

void anvil_utc_stamp(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y%m%dT%H%M%SZ", &tm);
}

void anvil_iso_time(double t, char *buf, size_t len)
{
	/* a journal's "t" may be missing (NaN) or edited: years 0001 .. 9999 only */
	if (!(t >= -62135596800.0 && t <= 253402300799.0)) {
		snprintf(buf, len, "unknown");
		return;
	}
	time_t s = (time_t)t;
	struct tm tm;
	gmtime_r(&s, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
