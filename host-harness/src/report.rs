//! The simulation report: one self-contained HTML page (inline SVG, no
//! scripts or external files) with an hour-of-day × weekday heat map, mail
//! per persona and thread depths, for one run or side by side for two.

use std::fmt::Write;

use crate::replay::{brief, PolicyTally, ReplaySummary, ReplayedRecord};
use crate::simulate::Summary;

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// The page's head and style, titled `title`.
fn page_start(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>{title}</title>\n<style>\n\
         body {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; }}\n\
         .runs {{ display: flex; gap: 3em; flex-wrap: wrap; }}\n\
         table {{ border-collapse: collapse; }} td, th {{ padding: 2px 8px; text-align: right; }}\n\
         td.text {{ text-align: left; }}\n\
         h2 {{ margin-top: 1.5em; }} .label {{ font-size: 11px; fill: #444; }}\n\
         </style>\n</head>\n<body>\n<h1>{title}</h1>\n"
    )
}

/// The page of a replay: the counts, each policy's decisions side by side
/// (as recorded, as replayed) and the records where they differ.
pub fn replay_html(summary: &ReplaySummary, records: &[ReplayedRecord]) -> String {
    let mut page = page_start("emailgen replay");
    let _ = write!(
        page,
        "<table>\n<tr><th>records</th><td>{}</td></tr>\n<tr><th>replayed with their own policy</th><td>{}</td></tr>\n\
         <tr><th>replayed with another policy</th><td>{}</td></tr>\n<tr><th>agree</th><td>{}</td></tr>\n\
         <tr><th>differ</th><td>{}</td></tr>\n<tr><th>needs data not recorded</th><td>{}</td></tr>\n</table>\n\
         <div class=\"runs\">\n",
        summary.records,
        summary.checked,
        summary.shadowed,
        summary.agree,
        summary.differ,
        summary.needs_data_not_recorded
    );
    for (side, tally) in [("as recorded", &summary.recorded), ("as replayed", &summary.replayed)] {
        tally_section(&mut page, side, tally);
    }
    page.push_str("</div>\n<h2>Where they differ</h2>\n<table>\n<tr><th>record</th><th class=\"text\">recorded</th><th class=\"text\">replayed</th><th class=\"text\">first difference</th></tr>\n");
    for record in records.iter().filter(|r| !r.agree).take(500) {
        let _ = writeln!(
            page,
            "<tr><td>{}</td><td class=\"text\">{}</td><td class=\"text\">{}</td><td class=\"text\">{}</td></tr>",
            record.record,
            escape(&brief(&record.recorded)),
            escape(&brief(&record.replayed)),
            escape(record.difference.as_deref().unwrap_or_default())
        );
    }
    page.push_str("</table>\n</body>\n</html>\n");
    page
}

fn tally_section(page: &mut String, side: &str, tally: &PolicyTally) {
    let name = tally
        .policy
        .as_ref()
        .map_or("(none)".to_owned(), |p| format!("{} ({})", p.name, &p.sha256[..12.min(p.sha256.len())]));
    let _ = write!(
        page,
        "<section>\n<h2>{} <small>{}</small></h2>\n<table>\n<tr><th>picks</th><td>{}</td></tr>\n\
         <tr><th>emails</th><td>{}</td></tr>\n<tr><th>replies</th><td>{} ({:.0}%)</td></tr>\n",
        escape(&name),
        escape(side),
        tally.picks,
        tally.actions,
        tally.replies,
        tally.reply_ratio * 100.0
    );
    for (kind, count) in tally.skips.iter().chain(tally.errors.iter()) {
        let _ = writeln!(page, "<tr><th>{}</th><td>{count}</td></tr>", escape(kind));
    }
    page.push_str("</table>\n<h3>Mail per persona</h3>\n");
    let personas: Vec<(String, u64)> = tally.mail_per_persona.iter().map(|(k, v)| (k.clone(), *v)).collect();
    bars(page, &personas);
    page.push_str("</section>\n");
}

/// The whole page for these runs.
pub fn html(runs: &[Summary]) -> String {
    let mut page = page_start("emailgen simulation");
    page.push_str("<div class=\"runs\">\n");
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
