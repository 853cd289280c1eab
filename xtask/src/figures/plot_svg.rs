//! A reader of the authors' published figure files: SVG written by Observable Plot,
//! usually wrapped by typst in an outer SVG that embeds each plot as a base64
//! `data:image/svg+xml` image. Observable Plot draws every mark in plot pixels and
//! labels what it is — `<g aria-label="line">` (one `<path>` per curve),
//! `"dot"` (one `<circle>` per point), `"rule"` (horizontal `<line>`s), the axes'
//! `"x-axis tick label"` / `"y-axis tick label"` texts and, for a faceted plot,
//! `"fx-axis tick label"` with one group per facet whose `translate(tx, ·)` is the
//! facet's offset, repeated on the marks of that facet. So the plotted data come back
//! exactly (to the 3 decimals of a path, the full precision of a circle) by mapping
//! pixels back through the scale that the labelled ticks define.
//!
//! Scales are stated by the caller ([`Scale`]): with two labelled ticks a log and a
//! linear axis both fit, so the reader cannot guess; with three or more it checks the
//! stated scale against every tick (within [`TICK_TOLERANCE`] pixels) and refuses a
//! wrong one. Tick labels are d3's formats: SI prefixes (`100m`, `10k`), thousands
//! separators (`1,000`), the typographic minus.
//!
//! Test-support code for the figure comparisons, not a general SVG parser: it reads
//! the tag structure (start, end and empty tags, attributes, text) and `translate`
//! transforms only, and refuses anything else it would have to understand (another
//! transform, a curved path command).

use anyhow::{Context, Result, anyhow, bail, ensure};

/// How an axis maps data to pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// pixel = a + b·value.
    Linear,
    /// pixel = a + b·log₁₀ value.
    Log,
}

/// An axis as the caller knows it: its scale and, where the figure labels too few
/// ticks to calibrate on (one per facet in the authors' optimal-λ figures), the data
/// domain that spans the frame (Observable Plot's default domain is the data's
/// extent, drawn edge to edge of the frame).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AxisSpec {
    /// Linear or log.
    pub scale: Scale,
    /// (value at the frame's low end, value at its high end), left → right or
    /// bottom → top.
    pub domain: Option<(f64, f64)>,
}

impl AxisSpec {
    /// A log axis calibrated on its ticks alone.
    pub const LOG: AxisSpec = AxisSpec {
        scale: Scale::Log,
        domain: None,
    };
    /// A linear axis calibrated on its ticks alone.
    pub const LINEAR: AxisSpec = AxisSpec {
        scale: Scale::Linear,
        domain: None,
    };
}

/// Largest distance (pixels) of a labelled tick from the fitted scale.
pub const TICK_TOLERANCE: f64 = 0.01;

/// What a mark is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkKind {
    /// A curve (`<path>` of an `aria-label="line"` group).
    Line,
    /// A point (`<circle>` of a `"dot"` group).
    Dot,
    /// A horizontal rule (`<line>` of a `"rule"` group); its points carry y only.
    Rule,
}

impl MarkKind {
    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            MarkKind::Line => "line",
            MarkKind::Dot => "dot",
            MarkKind::Rule => "rule",
        }
    }
}

/// One mark in data coordinates.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    /// Line, dot or rule.
    pub kind: MarkKind,
    /// The facet's index (by offset, left to right; 0 without facets).
    pub facet: usize,
    /// The stroke colour as `#rrggbb` (`rgb(…)` converted), or a name (`gray`,
    /// `currentColor`), or empty when none is set.
    pub colour: String,
    /// Drawn with a dash pattern.
    pub dashed: bool,
    /// The curve's index among the curves of its group in its facet (document order).
    pub curve: usize,
    /// (x, y) in data units; a rule's x is NaN.
    pub points: Vec<(f64, f64)>,
}

/// One plot: its facets' labels and its marks.
#[derive(Debug, Clone, PartialEq)]
pub struct Plot {
    /// Facet labels by index (empty string for an unlabelled facet).
    pub facets: Vec<String>,
    /// Every line, dot and rule.
    pub marks: Vec<Mark>,
}

/// Reads the plots in `svg`: the embedded plot images of a wrapping document (those
/// with axes; colour legends are skipped), or `svg` itself when it is a plot.
pub fn read(svg: &str, x: AxisSpec, y: AxisSpec) -> Result<Vec<Plot>> {
    let embedded = embedded_svgs(svg)?;
    let documents = if embedded.is_empty() {
        vec![svg.to_string()]
    } else {
        embedded
    };
    let mut plots = Vec::new();
    for (i, doc) in documents.iter().enumerate() {
        let elements = elements(doc).with_context(|| format!("in embedded image {i}"))?;
        if !elements.iter().any(|e| e.aria == "x-axis tick label") {
            continue; // a legend
        }
        plots.push(plot(&elements, x, y).with_context(|| format!("in embedded image {i}"))?);
    }
    ensure!(!plots.is_empty(), "no plot with axes in the file");
    Ok(plots)
}

/// The decoded `data:image/svg+xml;base64,` images, in document order.
fn embedded_svgs(svg: &str) -> Result<Vec<String>> {
    const PREFIX: &str = "data:image/svg+xml;base64,";
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(at) = rest.find(PREFIX) {
        let body = &rest[at + PREFIX.len()..];
        let end = body
            .find('"')
            .ok_or_else(|| anyhow!("unterminated data URL"))?;
        let bytes = base64_decode(&body[..end])?;
        out.push(String::from_utf8(bytes).context("embedded image is not UTF-8")?);
        rest = &body[end..];
    }
    Ok(out)
}

/// Standard base64 (RFC 4648, `=` padding, whitespace ignored).
fn base64_decode(text: &str) -> Result<Vec<u8>> {
    let value = |c: u8| -> Result<u32> {
        Ok(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => bail!("invalid base64 character {:?}", c as char),
        } as u32)
    };
    let symbols: Vec<u8> = text.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    let data = symbols
        .iter()
        .rposition(|&c| c != b'=')
        .map_or(&symbols[..0], |last| &symbols[..=last]);
    ensure!(
        symbols.len() - data.len() <= 2 && data.len() % 4 != 1,
        "malformed base64 length"
    );
    let mut out = Vec::with_capacity(data.len() * 3 / 4);
    for chunk in data.chunks(4) {
        let mut word = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            word |= value(c)? << (18 - 6 * i);
        }
        let bytes = word.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Ok(out)
}

/// An element of interest with what it inherits.
#[derive(Debug, Clone)]
struct Element {
    tag: String,
    attributes: Vec<(String, String)>,
    /// The nearest `aria-label` on the element or an ancestor.
    aria: String,
    /// The offset of the facet group (the group directly inside the aria group).
    facet_offset: Option<f64>,
    /// The element's position: every translate from the root, except the facet's.
    origin: (f64, f64),
    /// Inherited stroke and dash pattern.
    stroke: String,
    dashed: bool,
    /// Index of the enclosing facet group among all groups (to tell curves apart).
    group: usize,
    /// Text content (for `<text>`).
    text: String,
}

impl Element {
    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn number(&self, name: &str) -> Result<f64> {
        let raw = self
            .attribute(name)
            .ok_or_else(|| anyhow!("<{}> without `{name}`", self.tag))?;
        raw.parse()
            .with_context(|| format!("<{}> `{name}` = {raw:?} is not a number", self.tag))
    }
}

/// What a group passes to its children.
#[derive(Debug, Clone, Default)]
struct Context_ {
    aria: String,
    /// Depth below the aria group (1 = a direct child of it).
    depth_in_aria: usize,
    facet_offset: Option<f64>,
    origin: (f64, f64),
    stroke: String,
    dashed: bool,
    group: usize,
}

/// The elements of one plot document, flattened with their inherited context.
fn elements(doc: &str) -> Result<Vec<Element>> {
    let mut stack = vec![Context_::default()];
    let mut out: Vec<Element> = Vec::new();
    let mut groups = 0usize;
    let mut open_text: Option<usize> = None;
    let mut rest = doc;
    while let Some(lt) = rest.find('<') {
        if let Some(i) = open_text {
            out[i].text.push_str(rest[..lt].trim());
        }
        rest = &rest[lt..];
        if rest.starts_with("<!--") {
            let end = rest
                .find("-->")
                .ok_or_else(|| anyhow!("unterminated comment"))?;
            rest = &rest[end + 3..];
            continue;
        }
        let gt = rest.find('>').ok_or_else(|| anyhow!("unterminated tag"))?;
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            if name.trim() == "text" {
                open_text = None;
            }
            ensure!(stack.len() > 1, "unbalanced </{}>", name.trim());
            stack.pop();
            continue;
        }
        let empty = tag.ends_with('/');
        let (name, attributes) = parse_tag(tag.trim_end_matches('/'))?;
        if name == "style" {
            // CSS, no markup inside.
            let end = rest
                .find("</style>")
                .ok_or_else(|| anyhow!("unterminated <style>"))?;
            rest = &rest[end + "</style>".len()..];
            continue;
        }
        let parent = stack.last().expect("root context").clone();
        let mut context = parent.clone();
        let attribute = |k: &str| attributes.iter().find(|(a, _)| a == k).map(|(_, v)| v);
        let translate = match attribute("transform") {
            Some(t) => parse_translate(t).with_context(|| format!("in <{name}>"))?,
            None => (0.0, 0.0),
        };
        if let Some(aria) = attribute("aria-label") {
            context.aria = aria.clone();
            context.depth_in_aria = 0;
            context.facet_offset = None;
        } else if !context.aria.is_empty() {
            context.depth_in_aria += 1;
        }
        if name == "g" && context.depth_in_aria == 1 {
            groups += 1;
            context.group = groups;
            context.facet_offset = Some(translate.0);
            context.origin.1 += translate.1;
        } else {
            context.origin.0 += translate.0;
            context.origin.1 += translate.1;
        }
        if let Some(s) = attribute("stroke") {
            context.stroke = s.clone();
        }
        if attribute("stroke-dasharray").is_some_and(|d| d != "none") {
            context.dashed = true;
        }
        if matches!(name.as_str(), "path" | "circle" | "line" | "text") {
            if name == "text" && !empty {
                open_text = Some(out.len());
            }
            out.push(Element {
                tag: name.clone(),
                attributes: attributes.clone(),
                aria: context.aria.clone(),
                facet_offset: context.facet_offset,
                origin: context.origin,
                stroke: context.stroke.clone(),
                dashed: context.dashed,
                group: context.group,
                text: String::new(),
            });
        }
        if !empty {
            stack.push(context);
        }
    }
    ensure!(stack.len() == 1, "{} unclosed element(s)", stack.len() - 1);
    Ok(out)
}

/// `name attr="value" …` → (name, attributes).
fn parse_tag(tag: &str) -> Result<(String, Vec<(String, String)>)> {
    let tag = tag.trim();
    let name_end = tag.find(char::is_whitespace).unwrap_or(tag.len());
    let name = tag[..name_end].to_string();
    let mut attributes = Vec::new();
    let mut rest = tag[name_end..].trim_start();
    while !rest.is_empty() {
        let eq = rest
            .find('=')
            .ok_or_else(|| anyhow!("attribute without value in <{name}>"))?;
        let key = rest[..eq].trim().to_string();
        let after = rest[eq + 1..].trim_start();
        let quote = after
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '\'')
            .ok_or_else(|| anyhow!("unquoted attribute `{key}` in <{name}>"))?;
        let end = after[1..]
            .find(quote)
            .ok_or_else(|| anyhow!("unterminated attribute `{key}` in <{name}>"))?;
        attributes.push((key, after[1..1 + end].to_string()));
        rest = after[end + 2..].trim_start();
    }
    Ok((name, attributes))
}

/// `translate(x, y)` / `translate(x y)` / `translate(x)`; any other transform is refused.
fn parse_translate(text: &str) -> Result<(f64, f64)> {
    let inner = text
        .trim()
        .strip_prefix("translate(")
        .and_then(|t| t.strip_suffix(')'))
        .ok_or_else(|| anyhow!("unsupported transform {text:?}"))?;
    let numbers: Vec<f64> = inner
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<f64>())
        .collect::<Result<_, _>>()
        .with_context(|| format!("transform {text:?}"))?;
    match numbers.as_slice() {
        [x] => Ok((*x, 0.0)),
        [x, y] => Ok((*x, *y)),
        _ => bail!("transform {text:?}"),
    }
}

/// A d3 tick label: SI prefix, thousands separators, typographic minus.
pub fn parse_tick(label: &str) -> Result<f64> {
    const PREFIXES: [(char, f64); 8] = [
        ('n', 1e-9),
        ('µ', 1e-6),
        ('μ', 1e-6),
        ('m', 1e-3),
        ('k', 1e3),
        ('M', 1e6),
        ('G', 1e9),
        ('T', 1e12),
    ];
    let clean: String = label
        .trim()
        .replace('−', "-")
        .chars()
        .filter(|c| *c != ',')
        .collect();
    let (number, factor) = match clean.chars().last() {
        Some(last) => match PREFIXES.iter().find(|(p, _)| *p == last) {
            Some(&(_, f)) => (&clean[..clean.len() - last.len_utf8()], f),
            None => (clean.as_str(), 1.0),
        },
        None => bail!("empty tick label"),
    };
    let value: f64 = number
        .parse()
        .with_context(|| format!("tick label {label:?}"))?;
    Ok(value * factor)
}

/// pixel = a + b·s(value), fitted on the labelled ticks.
#[derive(Debug, Clone, Copy)]
struct Calibration {
    scale: Scale,
    a: f64,
    b: f64,
}

impl Calibration {
    fn fit(ticks: &[(f64, f64)], scale: Scale, axis: &str) -> Result<Self> {
        let s = |v: f64| match scale {
            Scale::Linear => v,
            Scale::Log => v.log10(),
        };
        let points: Vec<(f64, f64)> = ticks.iter().map(|&(v, px)| (s(v), px)).collect();
        ensure!(
            points.iter().all(|p| p.0.is_finite()),
            "{axis} axis: a tick label is not positive on a log scale"
        );
        let n = points.len() as f64;
        let (mx, my) = (
            points.iter().map(|p| p.0).sum::<f64>() / n,
            points.iter().map(|p| p.1).sum::<f64>() / n,
        );
        let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
        ensure!(
            points.len() >= 2 && sxx > 0.0,
            "{axis} axis: fewer than two distinct labelled ticks"
        );
        let b = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum::<f64>() / sxx;
        let a = my - b * mx;
        let worst = points
            .iter()
            .map(|p| (a + b * p.0 - p.1).abs())
            .fold(0.0, f64::max);
        ensure!(
            worst <= TICK_TOLERANCE,
            "{axis} axis: the labelled ticks are {worst:.3} px off a {scale:?} scale"
        );
        Ok(Calibration { scale, a, b })
    }

    fn value(&self, pixel: f64) -> f64 {
        let s = (pixel - self.a) / self.b;
        match self.scale {
            Scale::Linear => s,
            Scale::Log => 10f64.powf(s),
        }
    }
}

/// The labelled ticks (value, pixel) of one axis, deduplicated over facets.
fn ticks(elements: &[Element], aria: &str, along_x: bool) -> Result<Vec<(f64, f64)>> {
    let mut out: Vec<(f64, f64)> = Vec::new();
    for e in elements
        .iter()
        .filter(|e| e.aria == aria && e.tag == "text" && !e.text.is_empty())
    {
        let at = e.origin;
        let pixel = if along_x { at.0 } else { at.1 };
        let value = parse_tick(&e.text)?;
        if !out
            .iter()
            .any(|t| t.0 == value && (t.1 - pixel).abs() < 1e-9)
        {
            out.push((value, pixel));
        }
    }
    Ok(out)
}

/// The scale of one axis from its labelled ticks and, if stated, its domain at the
/// frame's ends (the frame: the extent of the grid lines drawn across the axis).
fn calibrate(elements: &[Element], axis: AxisSpec, along_x: bool) -> Result<Calibration> {
    let (name, labels, grid) = if along_x {
        ("x", "x-axis tick label", "y-grid")
    } else {
        ("y", "y-axis tick label", "x-grid")
    };
    let mut anchors = ticks(elements, labels, along_x)?;
    if let Some((low, high)) = axis.domain {
        let line = elements
            .iter()
            .find(|e| e.aria == grid && e.tag == "line")
            .ok_or_else(|| {
                anyhow!("{name} axis: a domain is stated but there is no {grid} to span the frame")
            })?;
        let ends = if along_x {
            [
                line.origin.0 + line.number("x1")?,
                line.origin.0 + line.number("x2")?,
            ]
        } else {
            [
                line.origin.1 + line.number("y1")?,
                line.origin.1 + line.number("y2")?,
            ]
        };
        // Left → right is low → high; top → bottom is high → low.
        let (low_px, high_px) = if along_x {
            (ends[0].min(ends[1]), ends[0].max(ends[1]))
        } else {
            (ends[0].max(ends[1]), ends[0].min(ends[1]))
        };
        anchors.push((low, low_px));
        anchors.push((high, high_px));
    }
    Calibration::fit(&anchors, axis.scale, name)
}

/// Points of a path made of absolute `M` and `L` commands.
fn path_points(d: &str) -> Result<Vec<(f64, f64)>> {
    let mut points = Vec::new();
    for command in d.split(['M', 'L']).filter(|s| !s.is_empty()) {
        let (x, y) = command
            .split_once(',')
            .ok_or_else(|| anyhow!("path command {command:?}: not `x,y`"))?;
        let x: f64 = x.trim().parse().with_context(|| format!("path x {x:?}"))?;
        let y: f64 = y.trim().parse().with_context(|| format!("path y {y:?}"))?;
        points.push((x, y));
    }
    ensure!(
        d.chars()
            .all(|c| !c.is_ascii_alphabetic() || c == 'M' || c == 'L' || c == 'e'),
        "path with commands other than M and L"
    );
    Ok(points)
}

/// `rgb(r, g, b)` → `#rrggbb`; other colours as written.
fn normalise_colour(stroke: &str) -> Result<String> {
    let Some(inner) = stroke
        .trim()
        .strip_prefix("rgb(")
        .and_then(|s| s.strip_suffix(')'))
    else {
        return Ok(stroke.trim().to_string());
    };
    let channels: Vec<u8> = inner
        .split(',')
        .map(|c| c.trim().parse::<u8>())
        .collect::<Result<_, _>>()
        .with_context(|| format!("colour {stroke:?}"))?;
    ensure!(channels.len() == 3, "colour {stroke:?}");
    Ok(format!(
        "#{:02x}{:02x}{:02x}",
        channels[0], channels[1], channels[2]
    ))
}

/// The marks of one plot, calibrated.
fn plot(elements: &[Element], x_axis: AxisSpec, y_axis: AxisSpec) -> Result<Plot> {
    let x = calibrate(elements, x_axis, true)?;
    let y = calibrate(elements, y_axis, false)?;
    // Facets by offset: the fx labels name them; marks may sit in unlabelled ones.
    let mut offsets: Vec<(f64, String)> = elements
        .iter()
        .filter(|e| e.aria == "fx-axis tick label" && e.tag == "text")
        .filter_map(|e| e.facet_offset.map(|o| (o, e.text.clone())))
        .collect();
    for e in elements {
        if let Some(o) = e.facet_offset
            && is_mark(e)
            && !offsets.iter().any(|f| f.0 == o)
        {
            offsets.push((o, String::new()));
        }
    }
    offsets.sort_by(|a, b| a.0.total_cmp(&b.0));
    let facet_of = |e: &Element| {
        e.facet_offset
            .and_then(|o| offsets.iter().position(|f| f.0 == o))
            .unwrap_or(0)
    };
    let mut marks: Vec<Mark> = Vec::new();
    let mut curves: Vec<(usize, usize)> = Vec::new(); // (group, count)
    for e in elements.iter().filter(|e| is_mark(e)) {
        let local = |px: f64, py: f64| (x.value(e.origin.0 + px), y.value(e.origin.1 + py));
        let (kind, points) = match e.aria.as_str() {
            "line" => {
                let d = e
                    .attribute("d")
                    .ok_or_else(|| anyhow!("<path> without d"))?;
                let points = path_points(d)?;
                (
                    MarkKind::Line,
                    points.into_iter().map(|(px, py)| local(px, py)).collect(),
                )
            }
            "dot" => (MarkKind::Dot, vec![local(e.number("cx")?, e.number("cy")?)]),
            _ => {
                let (y1, y2) = (e.number("y1")?, e.number("y2")?);
                ensure!(y1 == y2, "a rule that is not horizontal");
                (MarkKind::Rule, vec![(f64::NAN, local(0.0, y1).1)])
            }
        };
        let stroke = e.attribute("stroke").unwrap_or(&e.stroke);
        let curve = match curves.iter_mut().find(|c| c.0 == e.group) {
            Some(c) => {
                c.1 += 1;
                c.1 - 1
            }
            None => {
                curves.push((e.group, 1));
                0
            }
        };
        let mark = Mark {
            kind,
            facet: facet_of(e),
            colour: normalise_colour(stroke)?,
            dashed: e.dashed,
            curve,
            points,
        };
        // A rule is drawn once per data row: keep one of each.
        if kind == MarkKind::Rule && marks.iter().any(|m| same_rule(m, &mark)) {
            continue;
        }
        marks.push(mark);
    }
    Ok(Plot {
        facets: offsets.into_iter().map(|(_, label)| label).collect(),
        marks,
    })
}

fn is_mark(e: &Element) -> bool {
    matches!(
        (e.aria.as_str(), e.tag.as_str()),
        ("line", "path") | ("dot", "circle") | ("rule", "line")
    )
}

fn same_rule(a: &Mark, b: &Mark) -> bool {
    a.kind == MarkKind::Rule
        && a.facet == b.facet
        && a.colour == b.colour
        && a.points[0].1 == b.points[0].1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Base64 of `text` (the test's own encoder, the inverse of the reader's decoder).
    fn encode(text: &str) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in text.as_bytes().chunks(3) {
            let mut word = 0u32;
            for (i, &b) in chunk.iter().enumerate() {
                word |= (b as u32) << (16 - 8 * i);
            }
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[((word >> (18 - 6 * i)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    /// A two-facet plot in Observable Plot's layout: log x over [10, 1000] on pixels
    /// [40, 240], log y over [0.01, 1] on pixels [270, 30]; facet offsets 1 and 301.
    fn faceted_plot() -> String {
        let px = |n: f64| 40.0 + 100.0 * (n.log10() - 1.0);
        let py = |e: f64| 270.0 - 120.0 * (e.log10() + 2.0);
        let facet_group =
            |o: f64, body: &str| format!("<g transform=\"translate({o},0)\">{body}</g>");
        let x_labels: String = [(10.0, "10"), (100.0, "100"), (1000.0, "1k")]
            .iter()
            .map(|(v, l)| {
                format!(
                    "<text y=\"0.71em\" transform=\"translate({},270)\">{l}</text>",
                    px(*v)
                )
            })
            .collect();
        let y_labels: String = [(0.01, "10m"), (0.1, "100m"), (1.0, "1")]
            .iter()
            .map(|(v, l)| {
                format!(
                    "<text y=\"0.32em\" transform=\"translate(40,{})\">{l}</text>",
                    py(*v)
                )
            })
            .collect();
        let path = |points: &[(f64, f64)], colour: &str| {
            let d: Vec<String> = points
                .iter()
                .map(|&(n, e)| format!("{:.3},{:.3}", px(n), py(e)))
                .collect();
            format!("<path stroke=\"{colour}\" d=\"M{}\"></path>", d.join("L"))
        };
        format!(
            "<svg width=\"800\" height=\"300\"><style>:where(.p) {{ display: block; }}</style>\
             <g aria-label=\"fx-axis tick label\" transform=\"translate(0,-9)\">{}{}</g>\
             <g aria-label=\"x-axis tick label\" transform=\"translate(0,9)\">{}{}</g>\
             <g aria-label=\"y-axis tick label\" transform=\"translate(-9,0)\">{}</g>\
             <g aria-label=\"y-grid\"><g transform=\"translate(1,0)\"><line x1=\"40\" x2=\"240\" y1=\"30\" y2=\"30\"></line></g></g>\
             <g aria-label=\"line\">{}{}</g>\
             <g aria-label=\"dot\">{}</g>\
             <g aria-label=\"rule\"><g stroke=\"gray\" stroke-dasharray=\"5,5\" transform=\"translate(301,0)\">\
             <line x1=\"40\" x2=\"240\" y1=\"{y}\" y2=\"{y}\"></line><line x1=\"40\" x2=\"240\" y1=\"{y}\" y2=\"{y}\"></line></g></g>\
             </svg>",
            facet_group(1.0, "<text transform=\"translate(96,30)\">0</text>"),
            facet_group(
                301.0,
                "<text transform=\"translate(96,30)\">Linear Regression</text>"
            ),
            facet_group(1.0, &x_labels),
            facet_group(301.0, &x_labels),
            facet_group(1.0, &y_labels),
            facet_group(
                1.0,
                &(path(&[(10.0, 0.5), (100.0, 0.2)], "#440154")
                    + &path(&[(20.0, 0.3)], "rgb(253, 231, 37)"))
            ),
            facet_group(301.0, &path(&[(1000.0, 0.02)], "#440154")),
            facet_group(
                301.0,
                &format!(
                    "<circle cx=\"{}\" cy=\"{}\" r=\"3\" stroke=\"#31688e\"></circle>",
                    px(50.0),
                    py(0.05)
                )
            ),
            y = py(0.25),
        )
    }

    fn close(a: f64, b: f64) -> bool {
        (a / b - 1.0).abs() < 1e-4
    }

    #[test]
    fn reads_facets_marks_and_scales_through_an_embedding() {
        let inner = faceted_plot();
        let legend = "<svg><g><text>λ</text></g></svg>";
        let outer = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><g transform=\"translate(0 8.64)\">\
             <image xlink:href=\"data:image/svg+xml;base64,{}\"/></g>\
             <image xlink:href=\"data:image/svg+xml;base64,{}\"/></svg>",
            encode(legend),
            encode(&inner)
        );
        for text in [inner.as_str(), outer.as_str()] {
            let plots = read(text, AxisSpec::LOG, AxisSpec::LOG).unwrap();
            assert_eq!(plots.len(), 1);
            let p = &plots[0];
            assert_eq!(p.facets, vec!["0".to_string(), "Linear Regression".into()]);
            let lines: Vec<&Mark> = p
                .marks
                .iter()
                .filter(|m| m.kind == MarkKind::Line)
                .collect();
            assert_eq!(lines.len(), 3);
            assert_eq!((lines[0].facet, lines[0].curve, lines[1].curve), (0, 0, 1));
            assert_eq!(lines[1].colour, "#fde725");
            assert!(close(lines[0].points[1].0, 100.0) && close(lines[0].points[1].1, 0.2));
            assert_eq!((lines[2].facet, lines[2].curve), (1, 0));
            assert!(close(lines[2].points[0].0, 1000.0) && close(lines[2].points[0].1, 0.02));
            let dot = p.marks.iter().find(|m| m.kind == MarkKind::Dot).unwrap();
            assert_eq!((dot.facet, dot.colour.as_str()), (1, "#31688e"));
            assert!(close(dot.points[0].0, 50.0) && close(dot.points[0].1, 0.05));
            let rules: Vec<&Mark> = p
                .marks
                .iter()
                .filter(|m| m.kind == MarkKind::Rule)
                .collect();
            assert_eq!(rules.len(), 1, "duplicate rules are kept once");
            assert!(rules[0].dashed && rules[0].colour == "gray" && rules[0].facet == 1);
            assert!(close(rules[0].points[0].1, 0.25));
        }
    }

    #[test]
    fn refuses_a_wrong_scale_and_malformed_input() {
        let inner = faceted_plot();
        let err = read(&inner, AxisSpec::LINEAR, AxisSpec::LOG).unwrap_err();
        assert!(format!("{err:#}").contains("x axis"), "{err:#}");
        assert!(
            read(
                "<svg><g aria-label=\"line\"></g></svg>",
                AxisSpec::LOG,
                AxisSpec::LOG
            )
            .is_err()
        );
        assert!(read(&inner.replace("</svg>", ""), AxisSpec::LOG, AxisSpec::LOG).is_err());
        let curved = inner.replacen("d=\"M", "d=\"C1,2 3,4 5,6M", 1);
        assert!(read(&curved, AxisSpec::LOG, AxisSpec::LOG).is_err());
        let rotated = inner.replacen("translate(0,9)", "rotate(90)", 1);
        assert!(
            format!(
                "{:#}",
                read(&rotated, AxisSpec::LOG, AxisSpec::LOG).unwrap_err()
            )
            .contains("transform")
        );
        // One labelled tick is enough with the domain stated, and a wrong domain is caught.
        let single = inner
            .replace(">10</text>", "></text>")
            .replace(">1k</text>", "></text>");
        assert!(read(&single, AxisSpec::LOG, AxisSpec::LOG).is_err());
        let domain = |d| AxisSpec {
            scale: Scale::Log,
            domain: Some(d),
        };
        let p = read(&single, domain((10.0, 1000.0)), AxisSpec::LOG).unwrap();
        assert!(close(p[0].marks[0].points[1].0, 100.0));
        assert!(read(&single, domain((10.0, 2000.0)), AxisSpec::LOG).is_err());
        assert!(base64_decode("QUJD!").is_err());
        assert_eq!(base64_decode(&encode("ab")).unwrap(), b"ab");
        assert_eq!(base64_decode(&encode("abcd")).unwrap(), b"abcd");
    }

    #[test]
    fn tick_labels() {
        let check = |label: &str, expect: f64| {
            let v = parse_tick(label).unwrap();
            assert!(
                (v - expect).abs() <= 1e-12 * expect.abs().max(1.0),
                "{label}: {v}"
            );
        };
        check("100m", 0.1);
        check("20m", 0.02);
        check("10k", 1e4);
        check("1,000", 1000.0);
        check("−0.2", -0.2);
        check("0.0", 0.0);
        check("3", 3.0);
        check("5µ", 5e-6);
        assert!(parse_tick("").is_err());
        assert!(parse_tick("abc").is_err());
    }
}
