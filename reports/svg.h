/* Inline SVG charts for the self-contained report.html.
 *
 * Every function appends one complete <svg> element to `out` (the caller owns
 * `out`; nothing else is allocated that outlives the call). The output needs
 * no script, font or URL, and is the same bytes for the same input, so a
 * report rebuilt from the same journal diffs clean.
 *
 * Styling: presentation attributes give a readable default; CSS classes let
 * the page restyle (any CSS rule beats a presentation attribute). Series and
 * reference lines draw in currentColor, so `.s3 { color: … }` recolours a
 * line, its markers and its legend swatch at once. The page should also set
 * `svg.anvil-chart { max-width: 100%; height: auto; }` so charts shrink on a
 * narrow window (width, height and viewBox are set on every chart).
 *
 * Every caller string (titles, labels, units, hostnames) is escaped; bytes
 * XML cannot hold are replaced. NaN and ±Inf values are skipped, never
 * written. An input with nothing to draw gives a small chart saying "no data".
 */
#ifndef ANVIL_SVG_H
#define ANVIL_SVG_H
#include <stddef.h>

struct strbuf;

/* One series: n points (x[i], y[i]). The arrays are only read. A point with
 * a non-finite coordinate (or one <= 0 on a log axis) leaves a gap. */
struct anvil_svg_line {
	const char *label;
	const double *x;
	const double *y;
	size_t n;
};

struct anvil_svg_axes {
	const char *title;      /* shown, and the chart's accessible name */
	const char *x_label;    /* axis titles; the unit is added as " (unit)" */
	const char *y_label;
	const char *x_unit;     /* "B" on a log_x axis: ticks read 1 B, 1 KiB, 1 MiB */
	const char *y_unit;
	int log_x;              /* base-2 log axis (message sizes, node counts) */
	int log_y;              /* base-10 log axis (latencies) */
	/* A dashed horizontal reference line (a peak). NaN means none; so does
	 * 0 with no ref_label, so a zero-initialised struct draws nothing. */
	double ref_value;
	const char *ref_label;
};

/* Lines against x. A linear y axis starts at 0 when no value is negative
 * (bandwidth, FLOP/s). A legend is drawn when there is more than one line;
 * colours repeat after 8 lines with a different dash pattern. */
void anvil_svg_line_chart(struct strbuf *out, const struct anvil_svg_axes *ax,
			  const struct anvil_svg_line *lines, size_t nlines);

/* Telemetry against time in seconds (shown in min or h for long runs); the y
 * axis is fitted to the data, not started at 0. warn and fail draw dashed
 * limit lines (NaN = none). ax->log_x is ignored. */
void anvil_svg_timeseries(struct strbuf *out, const struct anvil_svg_axes *ax,
			  const struct anvil_svg_line *lines, size_t nlines,
			  double warn, double fail);

/* One value per node or GPU. A NaN value is a missing measurement (shown as
 * "n/a"). A bar is "bad" when its value is below `threshold` or when the
 * caller set `bad`. */
struct anvil_svg_bar {
	const char *label;
	double value;
	int bad;
};

/* Bars from 0, with a dashed threshold line (NaN = none) and ax->ref_value
 * as a peak line; ax->log_* and ax->x_unit are ignored. Above
 * ANVIL_SVG_MAX_BARS bars it draws the distribution instead: the values
 * sorted, bad ones marked and named, with a histogram in the margin. */
#define ANVIL_SVG_MAX_BARS 64
void anvil_svg_bar_chart(struct strbuf *out, const struct anvil_svg_axes *ax,
			 const struct anvil_svg_bar *bars, size_t n,
			 double threshold, const char *threshold_label);

/* An n x n matrix, value[i * n + j] for row i, column j (NaN = no data, e.g.
 * the diagonal); bad (may be NULL) is n x n too, nonzero = outline the cell.
 * labels (may be NULL) name rows and columns. Colours run from the smallest
 * to the largest value in 10 steps, with a legend. Above
 * ANVIL_SVG_MAX_HEAT_LABELS rows, only some rows are named and cells carry no
 * tooltip; above 128 rows, each cell shows the minimum of a block of cells
 * (the worst link stays visible) and a block with a bad cell is outlined. */
#define ANVIL_SVG_MAX_HEAT_LABELS 64
void anvil_svg_heatmap(struct strbuf *out, const char *title,
		       const char *const *labels, size_t n,
		       const double *value, const unsigned char *bad,
		       const char *unit);

#endif
