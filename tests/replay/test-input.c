// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-input.c - the byte stream under every reader: lines and their numbers,
 * CRLF, NUL bytes, long lines, block boundaries, zstd and gzip (detected by
 * content), truncated and corrupt compressed data, rewinding, pipes, FIFOs,
 * /dev/zero and directories.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <zlib.h>
#include <zstd.h>

#include "input.h"
#include "rt-util.h"

static char *slurp_lines(const char *path, uint64_t *nlines, struct hm_error *err, int *rc)
{
	struct hm_input *in = hm_input_open(path, err);
	size_t cap = 1 << 16, used = 0;
	char *out = malloc(cap);
	const char *line;
	size_t len;

	*nlines = 0;
	*rc = in ? 0 : -1;
	if (!in)
		return out;
	while ((*rc = hm_input_getline(in, &line, &len, err)) == 1) {
		while (used + len + 2 > cap)
			out = realloc(out, cap *= 2);
		memcpy(out + used, line, len);
		used += len;
		out[used++] = '|';
		(*nlines)++;
		if (hm_input_lineno(in) != *nlines)
			*rc = -100;
	}
	out[used] = '\0';
	hm_input_close(in);
	return out;
}

static void test_lines(void)
{
	struct hm_error err = { 0 };
	uint64_t n;
	int rc;
	char *s;

	s = slurp_lines(rt_file("lines.txt", "a\nbb\r\n\nccc", (size_t)-1), &n, &err, &rc);
	tap_ok(rc == 0 && n == 4 && strcmp(s, "a|bb||ccc|") == 0,
	       "lines: CRLF stripped, empty line kept, last line without newline (%s)", s);
	free(s);

	s = slurp_lines(rt_file("crlf-only.txt", "x\r\ny\r\n", (size_t)-1), &n, &err, &rc);
	tap_ok(rc == 0 && n == 2 && strcmp(s, "x|y|") == 0, "lines: CRLF file");
	free(s);

	s = slurp_lines(rt_file("nul.txt", "ab\ncd\0e\n", 8), &n, &err, &rc);
	tap_ok(rc < 0 && n == 1 && err.where.line == 2 && err.where.col == 3 &&
	       strcmp(err.msg, "unexpected NUL byte (binary data?)") == 0,
	       "NUL byte: error at 2:3 (got %llu:%llu %s)", (unsigned long long)err.where.line,
	       (unsigned long long)err.where.col, err.msg);
	free(s);

	/* a UTF-8 character before the NUL counts as one column */
	s = slurp_lines(rt_file("nul-utf8.txt", "\xc3\xa9\0", 3), &n, &err, &rc);
	tap_ok(rc < 0 && err.where.line == 1 && err.where.col == 2, "NUL after a 2-byte character: column 2");
	free(s);

	tap_is_u64(hm_text_col("a\xc3\xa9z", 3), 3, "hm_text_col counts characters");
}

static void test_long_lines(void)
{
	struct hm_error err = { 0 };
	size_t big = 3u << 20;
	char *data = malloc(big + 16);
	uint64_t n;
	int rc;
	char *s;

	/* one 3 MiB line crossing several 1 MiB blocks, then a short one */
	memset(data, 'x', big);
	memcpy(data + big, "\nend\n", 5);
	s = slurp_lines(rt_file("long.txt", data, big + 5), &n, &err, &rc);
	tap_ok(rc == 0 && n == 2 && strlen(s) == big + 5 && strcmp(s + big, "|end|") == 0,
	       "a 3 MiB line comes back whole");
	free(s);
	free(data);

	/* a line beyond the 64 MiB limit is refused, not buffered without end */
	{
		const char *path = rt_path("huge.txt");
		FILE *fp = fopen(path, "wb");
		char block[65536];

		memset(block, 'y', sizeof(block));
		for (int i = 0; i < 65 * 16; i++)
			fwrite(block, 1, sizeof(block), fp);
		fclose(fp);
		s = slurp_lines(path, &n, &err, &rc);
		tap_ok(rc < 0 && err.where.line == 1 &&
		       strcmp(err.msg, "line is longer than 64 MiB") == 0,
		       "a 65 MiB line: \"%s\"", err.msg);
		free(s);
		unlink(path);
	}

	/* many lines across block boundaries: nothing lost or doubled */
	{
		const char *path = rt_path("many.txt");
		FILE *fp = fopen(path, "wb");
		uint64_t sum = 0, want = 0;
		struct hm_input *in;
		const char *line;
		size_t len;

		for (int i = 0; i < 300000; i++) {
			fprintf(fp, "%d %s\n", i, i % 7 ? "abc" : "defghijk");
			want += (uint64_t)i;
		}
		fclose(fp);
		in = hm_input_open(path, &err);
		n = 0;
		while (hm_input_getline(in, &line, &len, &err) == 1) {
			sum += strtoull(line, NULL, 10);
			n++;
		}
		tap_ok(n == 300000 && sum == want, "300000 lines over several blocks");
		hm_input_close(in);
	}
}

static const char *zstd_file(const char *name, const char *text, int frames, size_t cut)
{
	size_t len = strlen(text), part = len / (size_t)frames, off = 0, used = 0;
	size_t cap = ZSTD_compressBound(len) + 64 * (size_t)frames;
	char *out = malloc(cap);
	const char *path;

	for (int f = 0; f < frames; f++) {
		size_t n = f == frames - 1 ? len - off : part;
		size_t z = ZSTD_compress(out + used, cap - used, text + off, n, 3);

		if (ZSTD_isError(z))
			exit(99);
		used += z;
		off += n;
	}
	path = rt_file(name, out, used - cut);
	free(out);
	return path;
}

static const char *gzip_file(const char *name, const char *text, int members, size_t cut)
{
	const char *path = rt_path(name);
	size_t len = strlen(text), part = len / (size_t)members, off = 0;
	char tmp[600];
	FILE *fp;

	for (int m = 0; m < members; m++) {
		size_t n = m == members - 1 ? len - off : part;
		gzFile gz = gzopen(path, m ? "ab" : "wb");

		gzwrite(gz, text + off, (unsigned int)n);
		gzclose(gz);
		off += n;
	}
	if (cut) {
		struct stat st;

		stat(path, &st);
		if (truncate(path, st.st_size - (off_t)cut) != 0)
			exit(99);
	}
	(void)tmp;
	(void)fp;
	return path;
}

static char *make_text(int nlines)
{
	size_t cap = (size_t)nlines * 16 + 1, used = 0;
	char *s = malloc(cap);

	for (int i = 0; i < nlines; i++)
		used += (size_t)snprintf(s + used, cap - used, "line %d\n", i);
	return s;
}

static void test_compression(void)
{
	char *text = make_text(200000);	/* ~2.3 MB: several output blocks */
	struct hm_error err = { 0 };
	struct hm_input *in;
	uint64_t n;
	int rc;
	char *s;

	s = slurp_lines(zstd_file("t.zst", text, 1, 0), &n, &err, &rc);
	tap_ok(rc == 0 && n == 200000 && strncmp(s, "line 0|line 1|", 14) == 0 &&
	       strcmp(s + strlen(s) - 12, "line 199999|") == 0, "zstd: all lines");
	free(s);

	in = hm_input_open(zstd_file("named.json", text, 1, 0), &err);
	hm_input_fill(in, 1, &err);
	tap_ok(hm_input_compression(in) == HM_COMP_ZSTD,
	       "zstd detected by content, whatever the name");
	hm_input_close(in);

	s = slurp_lines(zstd_file("multi.zst", text, 3, 0), &n, &err, &rc);
	tap_ok(rc == 0 && n == 200000, "zstd: three concatenated frames");
	free(s);

	s = slurp_lines(zstd_file("cut.zst", text, 1, 7), &n, &err, &rc);
	tap_ok(rc < 0 && strcmp(err.msg, "truncated zstd data: the file ends inside a frame") == 0,
	       "zstd: truncated (\"%s\")", err.msg);
	free(s);

	{
		/* with a checksum, flipped bits in the middle are caught */
		size_t len = strlen(text), cap = ZSTD_compressBound(len);
		char *z = malloc(cap);
		ZSTD_CCtx *cctx = ZSTD_createCCtx();
		size_t zlen;

		ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
		zlen = ZSTD_compress2(cctx, z, cap, text, len);
		ZSTD_freeCCtx(cctx);
		for (size_t i = zlen / 2; i < zlen / 2 + 16; i++)
			z[i] ^= 0x5a;
		s = slurp_lines(rt_file("bad.zst", z, zlen), &n, &err, &rc);
		tap_ok(rc < 0 && strncmp(err.msg, "corrupt zstd data: ", 19) == 0,
		       "zstd: corrupt (\"%s\")", err.msg);
		free(s);
		free(z);
	}

	s = slurp_lines(gzip_file("t.gz", text, 1, 0), &n, &err, &rc);
	tap_ok(rc == 0 && n == 200000 && strcmp(s + strlen(s) - 12, "line 199999|") == 0,
	       "gzip: all lines");
	free(s);

	s = slurp_lines(gzip_file("multi.gz", text, 2, 0), &n, &err, &rc);
	tap_ok(rc == 0 && n == 200000, "gzip: two concatenated members");
	free(s);

	s = slurp_lines(gzip_file("cut.gz", text, 1, 12), &n, &err, &rc);
	tap_ok(rc < 0 && strcmp(err.msg, "truncated gzip data: the file ends inside a member") == 0,
	       "gzip: truncated (\"%s\")", err.msg);
	free(s);

	s = slurp_lines(rt_file("x.xz", "\xfd" "7zXZ\0\0\0", 8), &n, &err, &rc);
	tap_ok(rc < 0 && strcmp(err.msg, "xz-compressed input is not supported: decompress it first") == 0,
	       "xz is named, not read as text");
	free(s);
	free(text);
}

static void test_rewind_and_files(void)
{
	struct hm_error err = { 0 };
	struct hm_input *in;
	const char *line;
	size_t len;
	int p[2];

	in = hm_input_open(zstd_file("rw.zst", "one\ntwo\n", 1, 0), &err);
	hm_input_getline(in, &line, &len, &err);
	hm_input_getline(in, &line, &len, &err);
	tap_ok(hm_input_rewind(in, &err) == 0 && hm_input_getline(in, &line, &len, &err) == 1 &&
	       len == 3 && memcmp(line, "one", 3) == 0 && hm_input_lineno(in) == 1 &&
	       hm_input_offset(in) == 4, "rewind a compressed file: back to line 1");
	hm_input_close(in);

	if (pipe(p) == 0) {
		int saved = dup(0);

		if (write(p[1], "a\n", 2) != 2)
			exit(99);
		close(p[1]);
		dup2(p[0], 0);
		close(p[0]);
		in = hm_input_open("-", &err);
		tap_ok(in && strcmp(hm_input_display(in), "<stdin>") == 0, "\"-\" is stdin");
		hm_input_getline(in, &line, &len, &err);
		tap_ok(hm_input_rewind(in, &err) == -ESPIPE, "a pipe cannot be rewound");
		hm_input_close(in);
		dup2(saved, 0);
		close(saved);
	}

	in = hm_input_open(rt_path("does-not-exist"), &err);
	tap_ok(!in && strcmp(err.msg, "cannot open: No such file or directory") == 0 &&
	       err.status == HM_EXIT_INPUT, "missing file: strerror in the message");
	in = hm_input_open(rt_path(""), &err);
	tap_ok(!in && strcmp(err.msg, "is a directory") == 0, "a directory is refused");
	if (geteuid() != 0) {
		const char *path = rt_file("noread", "x", 1);

		chmod(path, 0);
		in = hm_input_open(path, &err);
		tap_ok(!in && strcmp(err.msg, "cannot open: Permission denied") == 0,
		       "unreadable file: Permission denied");
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_devzero_fifo(void)
{
	struct hm_reader_opts opts = { 0 };
	struct rt_trace *t;
	const char *fifo = rt_path("fifo");
	double t0 = now();
	pid_t child;

	t = rt_read("/dev/zero", &opts);
	tap_ok(t->rc == HM_EXIT_INPUT && strcmp(t->err, "1:1: unexpected NUL byte (binary data?)") == 0 &&
	       now() - t0 < 2.0, "/dev/zero: NUL byte at 1:1, at once (%s)", t->err);
	rt_free(t);

	/* a FIFO whose writer sends the header and a line, then pauses: no hang */
	if (mkfifo(fifo, 0600) != 0) {
		tap_ok(0, "mkfifo");
		return;
	}
	child = fork();
	if (child == 0) {
		int fd = open(fifo, O_WRONLY);
		const char *a = "# tracer: nop\n#P:1\n"
				"  cat-5 [000] ..... 1.000001: kunmap_local: (kunmap_local_indexed+0x0/0x110) vaddr=0xfffbb000\n";
		const char *b = "  cat-5 [000] ..... 1.000002: kunmap_local: (kunmap_local_indexed+0x0/0x110) vaddr=0xfffba000\n";

		if (write(fd, a, strlen(a)) < 0)
			_exit(1);
		sleep(2);
		if (write(fd, b, strlen(b)) < 0)
			_exit(1);
		_exit(0);
	}
	{
		struct hm_error err = { 0 };
		struct hm_reader *r;
		struct hm_event ev;
		double opened;
		int n = 0;

		t0 = now();
		r = hm_reader_open(fifo, &opts, &err);
		opened = now() - t0;
		tap_ok(r && opened < 1.5, "FIFO: detected from the first line without waiting (%.2fs)",
		       opened);
		while (r && hm_reader_next(r, &ev) == 1)
			n++;
		tap_ok(n == 2, "FIFO: both events streamed (%d)", n);
		hm_reader_close(r);
		waitpid(child, NULL, 0);
	}
}

int main(void)
{
	test_lines();
	test_long_lines();
	test_compression();
	test_rewind_and_files();
	test_devzero_fifo();
	return tap_done();
}
