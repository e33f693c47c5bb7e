//! The simulation report: one self-contained HTML page (inline SVG, no
//! scripts or external files) with an hour-of-day × weekday heat map, mail
//! per persona and thread depths, for one run or side by side for two.

use std::fmt::Write;

use crate::simulate::Summary;

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// The whole page for these runs.
pub fn html(runs: &[Summary]) -> String {
    let mut page = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>emailgen simulation</title>\n<style>\n\
         body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }\n\
         .runs { display: flex; gap: 3em; flex-wrap: wrap; }\n\
         table { border-collapse: collapse; } td, th { padding: 2px 8px; text-align: right; }\n\
         h2 { margin-top: 1.5em; } .label { font-size: 11px; fill: #444; }\n\
         </style>\n</head>\n<body>\n<h1>emailgen simulation</h1>\n<div class=\"runs\">\n",
    );
    for run in runs {
        section(&mut page, run);
    }
    page.push_str("</div>\n</body>\n</html>\n");
    page
}

fn section(page: &mut String, run: &Summary) {
    let _ = write!(
        page,
        "<section>\n<h2>{name} <small>({sha})</small></h2>\n<table>\n\
         <tr><th>from</th><td>{from}</td></tr>\n<tr><th>to</th><td>{to}</td></tr>\n\
         <tr><th>picks</th><td>{picks}</td></tr>\n<tr><th>emails</th><td>{actions}</td></tr>\n\
         <tr><th>replies</th><td>{replies} ({ratio:.0}%)</td></tr>\n<tr><th>threads</th><td>{threads}</td></tr>\n",
        name = escape(&run.policy.name),
        sha = escape(&run.policy.sha256[..12.min(run.policy.sha256.len())]),
        from = run.from,
        to = run.to,
        picks = run.picks,
        actions = run.actions,
        replies = run.replies,
        ratio = run.reply_ratio * 100.0,
        threads = run.threads,
    );
    for (kind, count) in run.skips.iter().chain(run.errors.iter()) {
        let _ = writeln!(page, "<tr><th>{}</th><td>{count}</td></tr>", escape(kind));
    }
    page.push_str("</table>\n<h3>Mail by weekday and hour</h3>\n");
    heat_map(page, &run.heat_map);
    page.push_str("<h3>Mail per persona</h3>\n");
    let personas: Vec<(String, u64)> = run.mail_per_persona.iter().map(|(k, v)| (k.clone(), *v)).collect();
    bars(page, &personas);
    page.push_str("<h3>Thread depths (messages per thread)</h3>\n");
    let depths: Vec<(String, u64)> = run.thread_depths.iter().map(|(d, n)| (d.to_string(), *n)).collect();
    bars(page, &depths);
    page.push_str("</section>\n");
}

fn heat_map(page: &mut String, heat: &[Vec<u64>]) {
    let (cell, left, top) = (18, 36, 16);
    let max = heat.iter().flatten().copied().max().unwrap_or(0).max(1);
    let _ = writeln!(
        page,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\">",
        left + 24 * cell,
        top + 7 * cell
    );
    for hour in (0..24).step_by(3) {
        let _ = writeln!(page, "<text class=\"label\" x=\"{}\" y=\"11\">{hour}</text>", left + hour * cell);
    }
    for (day, row) in heat.iter().enumerate() {
        let y = top + day * cell;
        let _ = writeln!(page, "<text class=\"label\" x=\"0\" y=\"{}\">{}</text>", y + 13, WEEKDAYS[day]);
        for (hour, count) in row.iter().enumerate() {
            let shade = 255 - (200 * count / max) as u8;
            let _ = writeln!(
                page,
                "<rect x=\"{}\" y=\"{y}\" width=\"{}\" height=\"{}\" fill=\"rgb({shade},{shade},255)\"><title>{} {hour}:00 — {count}</title></rect>",
                left + hour * cell,
                cell - 1,
                cell - 1,
                WEEKDAYS[day],
            );
        }
    }
    page.push_str("</svg>\n");
}

fn bars(page: &mut String, rows: &[(String, u64)]) {
    let (row_height, label_width, bar_width) = (16, 260, 300);
    let max = rows.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let _ = writeln!(
        page,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\">",
        label_width + bar_width + 60,
        (rows.len() * row_height).max(row_height)
    );
    for (i, (label, value)) in rows.iter().enumerate() {
        let y = i * row_height;
        let width = (bar_width as u64 * value / max).max(1);
        let _ = writeln!(
            page,
            "<text class=\"label\" x=\"0\" y=\"{}\">{}</text><rect x=\"{label_width}\" y=\"{}\" width=\"{width}\" height=\"{}\" fill=\"#4a78c2\"/><text class=\"label\" x=\"{}\" y=\"{}\">{value}</text>",
            y + 12,
            escape(label),
            y + 2,
            row_height - 4,
            label_width as u64 + width + 4,
            y + 12,
        );
    }
    page.push_str("</svg>\n");
}

/// Escapes text for HTML content and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
