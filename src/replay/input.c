// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * input.c - a trace's bytes: large reads, transparent zstd/gzip, a look-ahead
 * window and a line reader with exact positions for error messages.
 *
 * One decompressed window (buf[start..end)) serves every consumer: the
 * probe looks at it, the line reader cuts lines out of it and the JSON
 * document reader scans objects in it.  It only grows when a single line or
 * object needs more room, up to HM_INPUT_MAX_LINE, so memory stays bounded
 * whatever the input.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hm_config.h"
#include "input.h"

#if HM_HAVE_ZSTD
#include <zstd.h>
#endif
#if HM_HAVE_GZIP
#include <zlib.h>
#endif

struct hm_input {
	int fd;
	bool seekable;			/* a regular file: hm_input_rewind() works */
	char *display;
	enum hm_compression comp;
	bool detected;			/* compression magic looked at */

	/* compressed side (also holds the first bytes before detection) */
	unsigned char *raw;
	size_t raw_pos, raw_len;
	bool raw_eof;
#if HM_HAVE_ZSTD
	ZSTD_DCtx *zd;
	size_t zlast;			/* last ZSTD_decompressStream() hint; 0 = frame done */
#endif
#if HM_HAVE_GZIP
	z_stream zs;
	bool zs_init;
	bool gz_member_done;		/* at a gzip member boundary */
#endif

	/* decompressed window */
	unsigned char *buf;
	size_t start, end, cap;
	uint64_t base;			/* stream offset of buf[0] */
	bool eof;			/* nothing more will be produced */

	/* line reader */
	uint64_t lineno;
	size_t scanned;			/* bytes after start known to hold no '\n' or NUL */
};

static __attribute__((format(printf, 5, 6))) int in_fail(struct hm_input *in,
							 struct hm_error *err, int status,
							 int errnum, const char *fmt, ...)
{
	struct hm_where w = { .file = in ? in->display : NULL };
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hm_error_set(err, status, &w, "%s", msg);
	return errnum > 0 ? -errnum : -EINVAL;
}

const char *hm_compression_name(enum hm_compression c)
{
	switch (c) {
	case HM_COMP_ZSTD:
		return "zstd";
	case HM_COMP_GZIP:
		return "gzip";
	default:
		return "none";
	}
}

struct hm_input *hm_input_open(const char *path, struct hm_error *err)
{
	struct hm_input *in;
	struct stat st;
	bool is_stdin = strcmp(path, "-") == 0;
	struct hm_where w = { .file = is_stdin ? "<stdin>" : path };

	in = calloc(1, sizeof(*in));
	if (!in) {
		hm_error_set(err, HM_EXIT_SYSTEM, &w, "out of memory");
		return NULL;
	}
	in->fd = -1;
	in->display = strdup(w.file);
	in->raw = malloc(HM_INPUT_BLOCK);
	in->cap = 2 * (size_t)HM_INPUT_BLOCK;
	in->buf = malloc(in->cap);
	if (!in->display || !in->raw || !in->buf) {
		hm_error_set(err, HM_EXIT_SYSTEM, &w, "out of memory");
		goto fail;
	}
	if (is_stdin) {
		in->fd = STDIN_FILENO;
	} else {
		in->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (in->fd < 0) {
			hm_error_set(err, HM_EXIT_INPUT, &w, "cannot open: %s", strerror(errno));
			goto fail;
		}
	}
	if (fstat(in->fd, &st) < 0) {
		hm_error_set(err, HM_EXIT_SYSTEM, &w, "cannot stat: %s", strerror(errno));
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		hm_error_set(err, HM_EXIT_INPUT, &w, "is a directory");
		goto fail;
	}
	in->seekable = S_ISREG(st.st_mode);
	return in;
fail:
	hm_input_close(in);
	return NULL;
}

void hm_input_close(struct hm_input *in)
{
	if (!in)
		return;
	if (in->fd > STDIN_FILENO)
		close(in->fd);
#if HM_HAVE_ZSTD
	ZSTD_freeDCtx(in->zd);
#endif
#if HM_HAVE_GZIP
	if (in->zs_init)
		inflateEnd(&in->zs);
#endif
	free(in->raw);
	free(in->buf);
	free(in->display);
	free(in);
}

const char *hm_input_display(const struct hm_input *in)
{
	return in->display;
}

enum hm_compression hm_input_compression(const struct hm_input *in)
{
	return in->comp;
}

/* Read one block of the file into the compressed-side buffer. */
static int raw_read(struct hm_input *in, struct hm_error *err)
{
	ssize_t n;

	if (in->raw_pos == in->raw_len)
		in->raw_pos = in->raw_len = 0;
	if (in->raw_len == HM_INPUT_BLOCK)
		return 0;
	do {
		n = read(in->fd, in->raw + in->raw_len, HM_INPUT_BLOCK - in->raw_len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return in_fail(in, err, HM_EXIT_SYSTEM, errno, "read error: %s", strerror(errno));
	if (n == 0)
		in->raw_eof = true;
	in->raw_len += (size_t)n;
	return 0;
}

static bool has_magic(const unsigned char *p, size_t len, const char *magic, size_t mlen)
{
	return len >= mlen && memcmp(p, magic, mlen) == 0;
}

/* Look at the first bytes and set up the decompressor they call for. */
static int detect(struct hm_input *in, struct hm_error *err)
{
	const unsigned char *p = in->raw;
	int rc;

	in->detected = true;
	while (in->raw_len < 10 && !in->raw_eof) {
		rc = raw_read(in, err);
		if (rc < 0)
			return rc;
	}
	/* zstd frames (28 b5 2f fd) and skippable frames (5? 2a 4d 18) */
	if (has_magic(p, in->raw_len, "\x28\xb5\x2f\xfd", 4) ||
	    (in->raw_len >= 4 && (p[0] & 0xf0) == 0x50 && has_magic(p + 1, in->raw_len - 1,
								     "\x2a\x4d\x18", 3))) {
#if HM_HAVE_ZSTD
		in->comp = HM_COMP_ZSTD;
		in->zd = ZSTD_createDCtx();
		if (!in->zd)
			return in_fail(in, err, HM_EXIT_SYSTEM, ENOMEM, "%s", "out of memory");
		in->zlast = 1;
		return 0;
#else
		return in_fail(in, err, HM_EXIT_INPUT, EINVAL, "%s",
			       "zstd-compressed input, but this build has no zstd support");
#endif
	}
	if (has_magic(p, in->raw_len, "\x1f\x8b", 2)) {
#if HM_HAVE_GZIP
		in->comp = HM_COMP_GZIP;
		if (inflateInit2(&in->zs, 16 + MAX_WBITS) != Z_OK)
			return in_fail(in, err, HM_EXIT_SYSTEM, ENOMEM, "%s", "out of memory");
		in->zs_init = true;
		return 0;
#else
		return in_fail(in, err, HM_EXIT_INPUT, EINVAL, "%s",
			       "gzip-compressed input, but this build has no gzip support");
#endif
	}
	if (has_magic(p, in->raw_len, "\xfd" "7zXZ\0", 6))
		return in_fail(in, err, HM_EXIT_INPUT, EINVAL,
			       "%s-compressed input is not supported: decompress it first", "xz");
	if (has_magic(p, in->raw_len, "BZh", 3) && in->raw_len >= 10 &&
	    has_magic(p + 4, in->raw_len - 4, "1AY&SY", 6))
		return in_fail(in, err, HM_EXIT_INPUT, EINVAL,
			       "%s-compressed input is not supported: decompress it first", "bzip2");
	if (has_magic(p, in->raw_len, "\x04\x22\x4d\x18", 4))
		return in_fail(in, err, HM_EXIT_INPUT, EINVAL,
			       "%s-compressed input is not supported: decompress it first", "lz4");
	in->comp = HM_COMP_NONE;
	return 0;
}

#if HM_HAVE_ZSTD
static long produce_zstd(struct hm_input *in, struct hm_error *err)
{
	for (;;) {
		ZSTD_outBuffer out = { in->buf + in->end, in->cap - in->end, 0 };
		ZSTD_inBuffer inb;
		size_t ret;
		int rc;

		if (in->raw_pos == in->raw_len && !in->raw_eof) {
			rc = raw_read(in, err);
			if (rc < 0)
				return rc;
		}
		if (in->raw_pos == in->raw_len && in->raw_eof && in->zlast == 0) {
			/* all input read and the last frame complete */
			in->eof = true;
			return 0;
		}
		inb.src = in->raw + in->raw_pos;
		inb.size = in->raw_len - in->raw_pos;
		inb.pos = 0;
		ret = ZSTD_decompressStream(in->zd, &out, &inb);
		if (ZSTD_isError(ret))
			return in_fail(in, err, HM_EXIT_INPUT, EINVAL, "corrupt zstd data: %s",
				       ZSTD_getErrorName(ret));
		in->raw_pos += inb.pos;
		in->end += out.pos;
		in->zlast = ret;
		if (out.pos)
			return (long)out.pos;
		if (in->raw_pos == in->raw_len && in->raw_eof) {
			if (in->zlast != 0)
				return in_fail(in, err, HM_EXIT_INPUT, EINVAL, "%s",
					       "truncated zstd data: the file ends inside a frame");
			in->eof = true;
			return 0;
		}
	}
}
#endif

#if HM_HAVE_GZIP
static long produce_gzip(struct hm_input *in, struct hm_error *err)
{
	for (;;) {
		int rc, zrc;
		size_t before_in, produced;

		if (in->raw_pos == in->raw_len && !in->raw_eof) {
			rc = raw_read(in, err);
			if (rc < 0)
				return rc;
		}
		if (in->raw_pos == in->raw_len && in->raw_eof) {
			if (!in->gz_member_done)
				return in_fail(in, err, HM_EXIT_INPUT, EINVAL, "%s",
					       "truncated gzip data: the file ends inside a member");
			in->eof = true;
			return 0;
		}
		if (in->gz_member_done) {
			/* concatenated members, as `cat a.gz b.gz` makes */
			inflateReset(&in->zs);
			in->gz_member_done = false;
		}
		in->zs.next_in = in->raw + in->raw_pos;
		in->zs.avail_in = (uInt)(in->raw_len - in->raw_pos);
		in->zs.next_out = in->buf + in->end;
		in->zs.avail_out = (uInt)(in->cap - in->end);
		before_in = in->zs.avail_in;
		zrc = inflate(&in->zs, Z_NO_FLUSH);
		in->raw_pos += before_in - in->zs.avail_in;
		produced = (size_t)(in->zs.next_out - (in->buf + in->end));
		in->end += produced;
		if (zrc == Z_STREAM_END)
			in->gz_member_done = true;
		else if (zrc == Z_MEM_ERROR)
			return in_fail(in, err, HM_EXIT_SYSTEM, ENOMEM, "%s", "out of memory");
		else if (zrc != Z_OK && zrc != Z_BUF_ERROR)
			return in_fail(in, err, HM_EXIT_INPUT, EINVAL, "corrupt gzip data: %s",
				       in->zs.msg ? in->zs.msg : "inflate failed");
		if (produced)
			return (long)produced;
	}
}
#endif

static long produce_raw(struct hm_input *in, struct hm_error *err)
{
	size_t n;
	ssize_t got;

	if (in->raw_pos < in->raw_len) {
		/* the bytes read for detection */
		n = in->raw_len - in->raw_pos;
		if (n > in->cap - in->end)
			n = in->cap - in->end;
		memcpy(in->buf + in->end, in->raw + in->raw_pos, n);
		in->raw_pos += n;
		in->end += n;
		return (long)n;
	}
	if (in->raw_eof) {
		in->eof = true;
		return 0;
	}
	n = in->cap - in->end;
	if (n > HM_INPUT_BLOCK)
		n = HM_INPUT_BLOCK;
	do {
		got = read(in->fd, in->buf + in->end, n);
	} while (got < 0 && errno == EINTR);
	if (got < 0)
		return in_fail(in, err, HM_EXIT_SYSTEM, errno, "read error: %s", strerror(errno));
	if (got == 0) {
		in->raw_eof = true;
		in->eof = true;
		return 0;
	}
	in->end += (size_t)got;
	return got;
}

/* Produce more bytes into buf[end..cap); the caller made room. */
static long produce(struct hm_input *in, struct hm_error *err)
{
	int rc;

	if (in->eof)
		return 0;
	if (!in->detected) {
		rc = detect(in, err);
		if (rc < 0)
			return rc;
	}
	switch (in->comp) {
#if HM_HAVE_ZSTD
	case HM_COMP_ZSTD:
		return produce_zstd(in, err);
#endif
#if HM_HAVE_GZIP
	case HM_COMP_GZIP:
		return produce_gzip(in, err);
#endif
	default:
		return produce_raw(in, err);
	}
}

/*
 * Make room for at least @want bytes after start and a useful amount of free
 * space after end, sliding the window down first and growing it only when a
 * single line or object needs more than it holds.
 */
static int make_room(struct hm_input *in, size_t want, struct hm_error *err)
{
	size_t avail = in->end - in->start;
	size_t slack = HM_INPUT_BLOCK / 4;
	size_t need;
	unsigned char *nbuf;

	if (in->cap - in->start >= want && in->cap - in->end >= slack)
		return 0;
	if (in->start > 0) {
		memmove(in->buf, in->buf + in->start, avail);
		in->base += in->start;
		in->end = avail;
		in->start = 0;
	}
	need = (want > avail ? want : avail) + HM_INPUT_BLOCK;
	if (in->cap >= want && in->cap - in->end >= slack)
		return 0;
	/* geometric growth, bounded by the longest line we accept */
	if (need < in->cap * 2)
		need = in->cap * 2;
	if (need > (size_t)HM_INPUT_MAX_LINE + 2 * HM_INPUT_BLOCK)
		need = (size_t)HM_INPUT_MAX_LINE + 2 * HM_INPUT_BLOCK;
	if (need < want + HM_INPUT_BLOCK / 4)
		need = want + HM_INPUT_BLOCK / 4;
	nbuf = realloc(in->buf, need);
	if (!nbuf)
		return in_fail(in, err, HM_EXIT_SYSTEM, ENOMEM, "%s", "out of memory");
	in->buf = nbuf;
	in->cap = need;
	return 0;
}

long hm_input_fill(struct hm_input *in, size_t want, struct hm_error *err)
{
	long n;
	int rc;

	while (in->end - in->start < want && !in->eof) {
		rc = make_room(in, want, err);
		if (rc < 0)
			return rc;
		n = produce(in, err);
		if (n < 0)
			return n;
	}
	return (long)(in->end - in->start);
}

int hm_input_peek(struct hm_input *in, const unsigned char **buf, size_t *len,
		  struct hm_error *err)
{
	long n;
	int rc;

	while (in->end - in->start < HM_INPUT_PEEK && !in->eof &&
	       !memchr(in->buf + in->start, '\n', in->end - in->start)) {
		rc = make_room(in, HM_INPUT_PEEK, err);
		if (rc < 0)
			return rc;
		n = produce(in, err);
		if (n < 0)
			return (int)n;
	}
	*buf = in->buf + in->start;
	*len = in->end - in->start;
	return 0;
}

const unsigned char *hm_input_data(const struct hm_input *in, size_t *avail)
{
	*avail = in->end - in->start;
	return in->buf + in->start;
}

void hm_input_consume(struct hm_input *in, size_t n)
{
	if (n > in->end - in->start)
		n = in->end - in->start;
	in->start += n;
	in->scanned = in->scanned > n ? in->scanned - n : 0;
	if (in->start == in->end) {
		in->base += in->start;
		in->start = in->end = 0;
	}
}

bool hm_input_at_eof(const struct hm_input *in)
{
	return in->eof && in->start == in->end;
}

uint64_t hm_input_offset(const struct hm_input *in)
{
	return in->base + in->start;
}

int hm_input_rewind(struct hm_input *in, struct hm_error *err)
{
	if (!in->seekable || lseek(in->fd, 0, SEEK_SET) < 0)
		return in_fail(in, err, HM_EXIT_INPUT, ESPIPE, "%s",
			       "cannot read this input twice: it is not a regular file");
	in->raw_pos = in->raw_len = 0;
	in->raw_eof = false;
	in->start = in->end = 0;
	in->base = 0;
	in->eof = false;
	in->lineno = 0;
	in->scanned = 0;
#if HM_HAVE_ZSTD
	if (in->zd) {
		ZSTD_DCtx_reset(in->zd, ZSTD_reset_session_only);
		in->zlast = 1;
	}
#endif
#if HM_HAVE_GZIP
	if (in->zs_init) {
		inflateReset(&in->zs);
		in->gz_member_done = false;
	}
#endif
	return 0;
}

uint64_t hm_text_col(const char *s, size_t off)
{
	uint64_t col = 1;

	for (size_t i = 0; i < off; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			col++;
	return col;
}

int hm_input_getline(struct hm_input *in, const char **line, size_t *len, struct hm_error *err)
{
	for (;;) {
		unsigned char *p = in->buf + in->start;
		size_t avail = in->end - in->start;
		unsigned char *nl, *nul;
		size_t n, want;
		long got;

		nl = memchr(p + in->scanned, '\n', avail - in->scanned);
		n = nl ? (size_t)(nl - p) : avail;
		nul = memchr(p + in->scanned, '\0', n - in->scanned);
		if (nul) {
			struct hm_where w = { .file = in->display, .line = in->lineno + 1,
					      .col = hm_text_col((const char *)p,
								 (size_t)(nul - p)) };

			hm_error_set(err, HM_EXIT_INPUT, &w, "unexpected NUL byte (binary data?)");
			return -EINVAL;
		}
		if (n > HM_INPUT_MAX_LINE) {
			struct hm_where w = { .file = in->display, .line = in->lineno + 1 };

			hm_error_set(err, HM_EXIT_INPUT, &w, "line is longer than %u MiB",
				     HM_INPUT_MAX_LINE >> 20);
			return -EINVAL;
		}
		if (nl || (in->eof && avail > 0)) {
			*line = (const char *)p;
			*len = n;
			if (n > 0 && p[n - 1] == '\r')
				(*len)--;
			in->lineno++;
			in->scanned = 0;
			in->start += nl ? n + 1 : n;
			return 1;
		}
		if (in->eof)
			return 0;
		in->scanned = avail;
		want = avail + HM_INPUT_BLOCK;
		if (want > HM_INPUT_MAX_LINE + 1)
			want = HM_INPUT_MAX_LINE + 1;
		got = hm_input_fill(in, want > avail ? want : avail + 1, err);
		if (got < 0)
			return (int)got;
	}
}

void hm_input_consume_line(struct hm_input *in, size_t n)
{
	hm_input_consume(in, n);
	in->scanned = 0;
	in->lineno++;
}

uint64_t hm_input_lineno(const struct hm_input *in)
{
	return in->lineno;
}
