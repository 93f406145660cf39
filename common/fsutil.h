/* Safe files: output is written to a temporary name and renamed, never
 * through a symlink planted in the run directory. */
#ifndef ANVIL_FSUTIL_H
#define ANVIL_FSUTIL_H
#include <stddef.h>

/* mkdir -p with the user's umask. */
int anvil_mkdir_p(const char *path, char *err, size_t errlen);
/* Writes DIR/NAME atomically: a fresh temporary file (O_EXCL|O_NOFOLLOW),
 * fsync, rename over NAME. A symlink at NAME is replaced, never followed. */
int anvil_write_atomic(const char *dir, const char *name, const void *data, size_t len,
		       char *err, size_t errlen);
/* Can we create files in dir? (tries, and removes what it made) */
int anvil_dir_writable(const char *dir, char *err, size_t errlen);
/* "20261121T113000Z" for now, UTC. */
void anvil_utc_stamp(char *buf, size_t len);
/* "2026-11-21T11:30:00Z" for an epoch time. */
void anvil_iso_time(double t, char *buf, size_t len);

#endif
