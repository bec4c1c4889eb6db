/* printf-style formatting without libc: one engine writing to a character sink, used by
 * the console and by gz_snprintf. */
#include <gzhyp/lib.h>

struct fmt_spec {
	bool left, zero, plus, space, alt;
	int width;
	int prec; /* -1: none */
	int len;  /* 0 int, 1 long, 2 long long / size_t / ptrdiff / intmax, -1 short, -2 char */
};

struct sink {
	gz_putc_fn out;
	void *ctx;
	int count;
};

static void emit(struct sink *s, char c)
{
	s->out(s->ctx, c);
	s->count++;
}

static void pad(struct sink *s, char c, int n)
{
	while (n-- > 0)
		emit(s, c);
}

static void emit_str(struct sink *s, const struct fmt_spec *sp, const char *str)
{
	int n = (int)gz_strnlen(str, sp->prec >= 0 ? (size_t)sp->prec : SIZE_MAX);

	if (!sp->left)
		pad(s, ' ', sp->width - n);
	for (int i = 0; i < n; i++)
		emit(s, str[i]);
	if (sp->left)
		pad(s, ' ', sp->width - n);
}

static void emit_num(struct sink *s, const struct fmt_spec *sp, uint64_t v, bool neg, unsigned base,
		     bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	int n = 0;
	const char *prefix = "";
	int prefix_len, zeros, total;

	while (v) {
		buf[n++] = digits[v % base];
		v /= base;
	}
	/* C: precision 0 with value 0 prints no digits (but %#o still prints "0"). */
	if (n == 0 && sp->prec != 0)
		buf[n++] = '0';
	if (neg)
		prefix = "-";
	else if (sp->plus && base == 10)
		prefix = "+";
	else if (sp->space && base == 10)
		prefix = " ";
	else if (sp->alt && base == 16 && n && buf[n - 1] != '0')
		prefix = upper ? "0X" : "0x";
	else if (sp->alt && base == 8 && sp->prec <= n && (n == 0 || buf[n - 1] != '0'))
		prefix = "0"; /* '#' makes octal start with 0, unless precision already did */
	prefix_len = (int)gz_strlen(prefix);

	zeros = sp->prec > n ? sp->prec - n : 0;
	total = prefix_len + zeros + n;
	if (sp->zero && !sp->left && sp->prec < 0 && sp->width > total) {
		zeros += sp->width - total;
		total = sp->width;
	}
	if (!sp->left)
		pad(s, ' ', sp->width - total);
	for (int i = 0; i < prefix_len; i++)
		emit(s, prefix[i]);
	pad(s, '0', zeros);
	while (n)
		emit(s, buf[--n]);
	if (sp->left)
		pad(s, ' ', sp->width - total);
}

static int parse_int(const char **p)
{
	int v = 0;

	while (**p >= '0' && **p <= '9') {
		if (v < 100000)
			v = v * 10 + (**p - '0');
		(*p)++;
	}
	return v;
}

int gz_vformat(gz_putc_fn out, void *ctx, const char *fmt, va_list ap)
{
	struct sink s = {out, ctx, 0};
	va_list args;

	va_copy(args, ap);
	for (const char *p = fmt; *p; p++) {
		struct fmt_spec sp = {.prec = -1};
		uint64_t u;
		int64_t i;

		if (*p != '%') {
			emit(&s, *p);
			continue;
		}
		p++;
		for (;; p++) {
			if (*p == '-')
				sp.left = true;
			else if (*p == '0')
				sp.zero = true;
			else if (*p == '+')
				sp.plus = true;
			else if (*p == ' ')
				sp.space = true;
			else if (*p == '#')
				sp.alt = true;
			else
				break;
		}
		if (*p == '*') {
			sp.width = va_arg(args, int);
			if (sp.width < 0) {
				sp.left = true;
				sp.width = sp.width == -__INT_MAX__ - 1 ? 0 : -sp.width;
			}
			p++;
		} else {
			sp.width = parse_int(&p);
		}
		if (*p == '.') {
			p++;
			if (*p == '*') {
				sp.prec = va_arg(args, int);
				if (sp.prec < 0)
					sp.prec = -1;
				p++;
			} else {
				sp.prec = parse_int(&p);
			}
		}
		for (;; p++) {
			if (*p == 'l')
				sp.len = sp.len >= 1 ? 2 : 1;
			else if (*p == 'h')
				sp.len = sp.len <= -1 ? -2 : -1;
			else if (*p == 'z' || *p == 't' || *p == 'j')
				sp.len = 2;
			else
				break;
		}
		switch (*p) {
		case 'd':
		case 'i':
			if (sp.len >= 1)
				i = sp.len == 1 ? va_arg(args, long) : va_arg(args, long long);
			else
				i = va_arg(args, int);
			if (sp.len == -1)
				i = (short)i;
			else if (sp.len == -2)
				i = (signed char)i;
			emit_num(&s, &sp, i < 0 ? 0 - (uint64_t)i : (uint64_t)i, i < 0, 10, false);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			if (sp.len >= 1)
				u = sp.len == 1 ? va_arg(args, unsigned long)
						: va_arg(args, unsigned long long);
			else
				u = va_arg(args, unsigned int);
			if (sp.len == -1)
				u = (unsigned short)u;
			else if (sp.len == -2)
				u = (unsigned char)u;
			emit_num(&s, &sp, u, false, *p == 'u' ? 10 : *p == 'o' ? 8 : 16, *p == 'X');
			break;
		case 'p':
			sp.alt = true;
			emit_num(&s, &sp, (uintptr_t)va_arg(args, void *), false, 16, false);
			break;
		case 's': {
			const char *str = va_arg(args, const char *);

			emit_str(&s, &sp, str ? str : "(null)");
			break;
		}
		case 'c': {
			char c = (char)va_arg(args, int);

			if (!sp.left)
				pad(&s, ' ', sp.width - 1);
			emit(&s, c);
			if (sp.left)
				pad(&s, ' ', sp.width - 1);
			break;
		}
		case '%':
			emit(&s, '%');
			break;
		case '\0':
			/* A lone '%' at the end: print it, stop. */
			emit(&s, '%');
			p--;
			break;
		default:
			/* Unknown conversion: print it literally so the mistake is visible. */
			emit(&s, '%');
			emit(&s, *p);
			break;
		}
	}
	va_end(args);
	return s.count;
}

struct buf_sink {
	char *buf;
	size_t size;
	size_t pos;
};

static void buf_putc(void *ctx, char c)
{
	struct buf_sink *b = ctx;

	if (b->pos + 1 < b->size)
		b->buf[b->pos] = c;
	b->pos++;
}

int gz_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf_sink b = {buf, size, 0};
	int n = gz_vformat(buf_putc, &b, fmt, ap);

	if (size)
		buf[b.pos < size ? b.pos : size - 1] = '\0';
	return n;
}

int gz_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = gz_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
