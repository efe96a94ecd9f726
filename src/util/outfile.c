// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * outfile.c - outputs written whole or not at all: a temporary file beside the
 * target, renamed into place only after every byte reached the disk.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hm_util.h"

static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (!a || !b || strcmp(b, "-") == 0)
		return 0;
	if (stat(a, &sa) || stat(b, &sb))
		return 0;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/*
 * A device, a FIFO or a socket (/dev/null, /dev/stdout, a pipe the caller
 * made) is written in place: there is no file to replace, and a rename would
 * put a regular file where the device was.  No temporary name (of->tmp NULL).
 */
static int open_in_place(struct hm_outfile *of, const char *path, struct hm_error *err)
{
	struct hm_where w = { .file = path };
	int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);

	if (fd < 0) {
		int e = errno;

		hm_error_set(err, HM_EXIT_SYSTEM, &w, "cannot open output: %s", strerror(e));
		return -e;
	}
	of->path = strdup(path);
	of->fp = of->path ? fdopen(fd, "w") : NULL;
	if (!of->fp) {
		close(fd);
		free(of->path);
		memset(of, 0, sizeof(*of));
		return hm_error_set(err, HM_EXIT_SYSTEM, &w, "out of memory");
	}
	return 0;
}

int hm_outfile_open(struct hm_outfile *of, const char *path, const char *input,
		    struct hm_error *err)
{
	struct hm_where w = { .file = path };
	char *dup, *dir, *base;
	struct stat sb;
	int fd;

	memset(of, 0, sizeof(*of));
	if (strcmp(path, "-") == 0) {
		of->fp = stdout;
		of->is_stdout = true;
		return 0;
	}
	if (!*path)
		return hm_error_set(err, HM_EXIT_USAGE, NULL, "the output file name is empty");
	if (same_file(path, input))
		return hm_error_set(err, HM_EXIT_USAGE, &w,
				    "refusing to write over the input trace");
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		return hm_error_set(err, HM_EXIT_USAGE, &w, "is a directory");
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
		return open_in_place(of, path, err);
	of->path = strdup(path);
	dup = strdup(path);
	if (!of->path || !dup)
		goto nomem;
	dir = dirname(dup);
	base = basename(of->path);
	if (asprintf(&of->tmp, "%s/.%s.XXXXXX", dir, base) < 0) {
		of->tmp = NULL;
		free(dup);
		goto nomem;
	}
	free(dup);
	fd = mkstemp(of->tmp);
	if (fd < 0) {
		int e = errno;

		hm_error_set(err, HM_EXIT_SYSTEM, &w, "cannot create output: %s", strerror(e));
		free(of->tmp);
		free(of->path);
		memset(of, 0, sizeof(*of));
		return -e;
	}
	/* mkstemp makes 0600; an ordinary output file follows the umask */
	{
		mode_t um = umask(0);

		umask(um);
		fchmod(fd, 0666 & ~um);
	}
	hm_cleanup_register(of->tmp);
	of->fp = fdopen(fd, "w");
	if (!of->fp) {
		close(fd);
		hm_outfile_abort(of);
		goto nomem;
	}
	return 0;
nomem:
	free(of->path);
	memset(of, 0, sizeof(*of));
	return hm_error_set(err, HM_EXIT_SYSTEM, &w, "out of memory");
}

int hm_outfile_commit(struct hm_outfile *of, struct hm_error *err)
{
	struct hm_where w = { .file = of->is_stdout ? "<stdout>" : of->path };
	int e = 0;

	if (fflush(of->fp) != 0 || ferror(of->fp))
		e = errno ? errno : EIO;
	if (of->is_stdout) {
		of->fp = NULL;
		if (e)
			return hm_error_set(err, HM_EXIT_SYSTEM, &w, "write failed: %s",
					    strerror(e));
		return 0;
	}
	if (!e && fsync(fileno(of->fp)) != 0 && errno != EINVAL)
		e = errno;
	if (fclose(of->fp) != 0 && !e)
		e = errno ? errno : EIO;
	of->fp = NULL;
	if (!e && of->tmp && rename(of->tmp, of->path) != 0)
		e = errno;
	if (e) {
		/* the message names the file: the name goes with the outfile, keep a copy */
		hm_error_set(err, HM_EXIT_SYSTEM, NULL, "%s: write failed: %s", w.file, strerror(e));
		hm_outfile_abort(of);
		return -EIO;
	}
	if (of->tmp)
		hm_cleanup_unregister(of->tmp);
	free(of->tmp);
	free(of->path);
	memset(of, 0, sizeof(*of));
	return 0;
}

void hm_outfile_abort(struct hm_outfile *of)
{
	if (of->is_stdout) {
		of->fp = NULL;
		return;
	}
	if (of->fp)
		fclose(of->fp);
	if (of->tmp) {
		unlink(of->tmp);
		hm_cleanup_unregister(of->tmp);
	}
	free(of->tmp);
	free(of->path);
	memset(of, 0, sizeof(*of));
}
