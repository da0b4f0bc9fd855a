// The console's small charts: inline SVG drawn here (no library, no inline
// style: colours come from admin.css through classes).  Each chart scales
// to its box's width (viewBox) and says what it shows in its aria-label.

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 360;     // a phone's width: the text keeps its size there
const PAD = {top: 26, right: 6, bottom: 24, left: 40};

function node(name, attrs = {}, text) {
    const n = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) {
        n.setAttribute(k, String(v));
    }
    if (text !== undefined) {
        n.textContent = text;
    }
    return n;
}

// a round upper bound for the axis: 1, 2 or 5 times a power of ten
function ceiling(max) {
    if (!(max > 0)) {
        return 1;
    }
    const p = 10 ** Math.floor(Math.log10(max));
    return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= max);
}

function svg(height, label) {
    const s = node('svg', {viewBox: `0 0 ${WIDTH} ${height}`, role: 'img',
                           'aria-label': label, class: 'chart-svg',
                           preserveAspectRatio: 'xMidYMid meet'});
    s.append(node('title', {}, label));
    return s;
}

function axis(s, height, top) {
    const bottom = height - PAD.bottom;
    for (const f of [0, 0.5, 1]) {
        const y = bottom - f * (bottom - PAD.top);
        s.append(node('line', {x1: PAD.left, x2: WIDTH - PAD.right, y1: y,
                               y2: y, class: 'grid'}));
        s.append(node('text', {x: PAD.left - 6, y: y + 4, class: 'tick',
                               'text-anchor': 'end'},
                      String(Number((f * top).toFixed(1)))));
    }
}

function legend(s, series) {
    series.forEach((se, i) => {
        const x = PAD.left + i * 80;
        s.append(node('rect', {x, y: 0, width: 10, height: 10,
                               class: 'series-' + i}));
        s.append(node('text', {x: x + 14, y: 9, class: 'tick'}, se.name));
    });
}

// labels: one per column; series: [{name, values}] drawn side by side
export function barChart(target, labels, series, label) {
    const height = 180;
    const top = ceiling(Math.max(0, ...series.flatMap((se) => se.values)));
    const s = svg(height, label);
    axis(s, height, top);
    legend(s, series);
    const plot = WIDTH - PAD.left - PAD.right;
    const slot = plot / labels.length;
    const bar = Math.max(1, (slot - 2) / series.length);
    const bottom = height - PAD.bottom;
    labels.forEach((lab, i) => {
        series.forEach((se, j) => {
            const v = se.values[i] ?? 0;
            const h = (v / top) * (bottom - PAD.top);
            const r = node('rect', {x: PAD.left + i * slot + 1 + j * bar,
                                    y: bottom - h, width: bar, height: h,
                                    class: 'series-' + j});
            r.append(node('title', {}, `${lab}: ${se.name} ${v}`));
            s.append(r);
        });
        if (i % Math.ceil(labels.length / 6) === 0) {
            s.append(node('text', {x: PAD.left + i * slot + slot / 2,
                                   y: height - 8, class: 'tick',
                                   'text-anchor': 'middle'}, lab));
        }
    });
    target.replaceChildren(s);
}

// series of numbers or nulls (no point: the line breaks there)
export function lineChart(target, labels, series, label) {
    const height = 180;
    const top = ceiling(Math.max(0, ...series.flatMap(
        (se) => se.values.filter((v) => v !== null))));
    const s = svg(height, label);
    axis(s, height, top);
    legend(s, series);
    const bottom = height - PAD.bottom;
    const step = (WIDTH - PAD.left - PAD.right) / Math.max(1, labels.length - 1);
    series.forEach((se, j) => {
        let d = '';
        let pen = 'M';
        se.values.forEach((v, i) => {
            if (v === null || v === undefined) {
                pen = 'M';
                return;
            }
            const x = PAD.left + i * step;
            const y = bottom - (v / top) * (bottom - PAD.top);
            d += `${pen}${x.toFixed(1)},${y.toFixed(1)} `;
            pen = 'L';
            const dot = node('circle', {cx: x, cy: y, r: 3,
                                        class: 'series-' + j});
            dot.append(node('title', {}, `${labels[i]}: ${se.name} ${v} ms`));
            s.append(dot);
        });
        if (d) {
            s.append(node('path', {d, class: 'line series-' + j}));
        }
    });
    labels.forEach((lab, i) => {
        if (i % Math.ceil(labels.length / 6) === 0) {
            s.append(node('text', {x: PAD.left + i * step, y: height - 8,
                                   class: 'tick', 'text-anchor': 'middle'},
                          lab));
        }
    });
    target.replaceChildren(s);
}

// rows: [{name, values: [a, b]}] as horizontal stacked bars
export function stackedBars(target, rows, names, label) {
    const row = 28;
    const height = PAD.top + rows.length * row;
    const top = ceiling(Math.max(0, ...rows.map(
        (r) => r.values.reduce((a, b) => a + b, 0))));
    const s = svg(height, label);
    legend(s, names.map((name) => ({name})));
    const left = 110;
    const plot = WIDTH - left - PAD.right - 40;
    rows.forEach((r, i) => {
        const y = PAD.top + i * row;
        s.append(node('text', {x: left - 6, y: y + 15, class: 'tick',
                               'text-anchor': 'end'}, r.name));
        let x = left;
        r.values.forEach((v, j) => {
            const w = (v / top) * plot;
            const b = node('rect', {x, y: y + 4, width: w, height: 16,
                                    class: 'series-' + j});
            b.append(node('title', {}, `${r.name}: ${names[j]} ${v}`));
            s.append(b);
            x += w;
        });
        s.append(node('text', {x: x + 4, y: y + 15, class: 'tick'},
                      r.values.join(' / ')));
    });
    target.replaceChildren(s);
}
