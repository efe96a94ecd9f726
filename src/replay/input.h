/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * input.h - a trace's bytes: a file or stdin, read in large blocks,
 * decompressed (zstd, gzip) when the magic bytes say so, with a look-ahead
 * window for format probing and a line reader for the text formats.
 *
 * Ownership: hm_input_open() returns an input that owns its file descriptor
 * and buffers until hm_input_close(); pointers it hands out (peek, data,
 * lines) stay valid only until the next call that reads or consumes.
 */
#ifndef HM_INPUT_H
#define HM_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hm_util.h"

/* Bytes read from the file at once (and the compressed-side buffer size). */
#define HM_INPUT_BLOCK (1u << 20)
/* Longest line (or JSON object) the readers accept: bounds memory use. */
#define HM_INPUT_MAX_LINE (64u << 20)
/* Bytes hm_input_peek() tries to collect for format probing. */
#define HM_INPUT_PEEK (64u << 10)

enum hm_compression {
	HM_COMP_NONE,
	HM_COMP_ZSTD,
	HM_COMP_GZIP,
};

struct hm_input;

/**
 * hm_input_open() - open a trace file or stdin
 * @path: the file, or "-" for stdin
 * @err: filled on failure ("cannot open: No such file or directory")
 *
 * Directories are refused.  Compression is recognised from the first bytes,
 * never from the name.
 *
 * Return: the input, or NULL with @err filled.
 */
struct hm_input *hm_input_open(const char *path, struct hm_error *err);

/**
 * hm_input_close() - close an input and free its buffers
 * @in: the input, or NULL
 */
void hm_input_close(struct hm_input *in);

/* Name for messages: the path, or "<stdin>". */
const char *hm_input_display(const struct hm_input *in);
enum hm_compression hm_input_compression(const struct hm_input *in);
/* "none", "zstd", "gzip" */
const char *hm_compression_name(enum hm_compression c);

/**
 * hm_input_peek() - look at the first bytes without consuming them
 * @in: the input, nothing consumed yet
 * @buf: set to the bytes
 * @len: set to how many there are (0 for an empty input)
 * @err: filled on failure
 *
 * Reads until HM_INPUT_PEEK bytes, a newline, or the end of the input,
 * whichever comes first, so a pipe that delivers one line and pauses does
 * not block the detection.
 *
 * Return: 0, or a negative errno with @err filled.
 */
int hm_input_peek(struct hm_input *in, const unsigned char **buf, size_t *len,
		  struct hm_error *err);

/**
 * hm_input_fill() - make at least @want bytes available after the cursor
 * @in: the input
 * @want: bytes wanted; at most HM_INPUT_MAX_LINE + HM_INPUT_BLOCK
 * @err: filled on failure
 *
 * Return: the number of bytes available (less than @want only at the end of
 * the input), or a negative errno with @err filled.
 */
long hm_input_fill(struct hm_input *in, size_t want, struct hm_error *err);

/* The bytes after the cursor; *avail is set to how many are buffered. */
const unsigned char *hm_input_data(const struct hm_input *in, size_t *avail);

/* Move the cursor forward over @n buffered bytes. */
void hm_input_consume(struct hm_input *in, size_t n);

/* True when every byte has been consumed and the file is at its end. */
bool hm_input_at_eof(const struct hm_input *in);

/* Offset of the cursor in the (decompressed) stream. */
uint64_t hm_input_offset(const struct hm_input *in);

/**
 * hm_input_rewind() - start again from the first byte
 * @in: the input
 * @err: filled when the input is a pipe or a terminal (-ESPIPE)
 *
 * Return: 0, or a negative errno with @err filled.
 */
int hm_input_rewind(struct hm_input *in, struct hm_error *err);

/**
 * hm_input_getline() - read the next line
 * @in: the input
 * @line: set to the line, without its "\n" or "\r\n", not NUL-terminated
 * @len: set to its length
 * @err: filled on failure: a NUL byte (with its line:col), a line longer
 *       than HM_INPUT_MAX_LINE, an I/O or decompression error
 *
 * A last line without a newline is returned as a line.  Line numbers count
 * from 1; hm_input_lineno() gives the number of the line just returned.
 *
 * Return: 1 for a line, 0 at the end, a negative errno with @err filled.
 */
int hm_input_getline(struct hm_input *in, const char **line, size_t *len, struct hm_error *err);

/**
 * hm_input_consume_line() - take a line the caller found in hm_input_data()
 * @in: the input
 * @n: bytes up to and including the line's '\n'
 *
 * For readers that parse lines in place: the line counts as one
 * hm_input_getline() returned.  The caller has checked what
 * hm_input_getline() would have (no NUL byte in it).
 */
void hm_input_consume_line(struct hm_input *in, size_t n);

/* Number of the last line hm_input_getline() returned (0 before the first). */
uint64_t hm_input_lineno(const struct hm_input *in);

/**
 * hm_text_col() - 1-based column of byte @off of a line, in characters
 * @s: the line
 * @off: byte offset into it
 *
 * UTF-8 continuation bytes do not count, as in jansson's error columns.
 */
uint64_t hm_text_col(const char *s, size_t off);

#endif /* HM_INPUT_H */
