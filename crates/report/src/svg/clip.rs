//! Clipping polylines to the plotting rectangle (plotters does not clip), in axis
//! space.

/// A rectangle in axis space, slightly enlarged so that points on the edge survive.
#[derive(Debug, Clone, Copy)]
pub(super) struct Bounds {
    pub x: (f64, f64),
    pub y: (f64, f64),
}

/// The part of segment a–b inside `bounds` (Liang–Barsky), if any.
fn clip_segment(a: (f64, f64), b: (f64, f64), bounds: Bounds) -> Option<((f64, f64), (f64, f64))> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, a.0 - bounds.x.0),
        (dx, bounds.x.1 - a.0),
        (-dy, a.1 - bounds.y.0),
        (dy, bounds.y.1 - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    if t0 > t1 {
        return None;
    }
    let at = |t: f64| {
        if t == 0.0 {
            a
        } else if t == 1.0 {
            b
        } else {
            (a.0 + t * dx, a.1 + t * dy)
        }
    };
    Some((at(t0), at(t1)))
}

/// The visible pieces of a polyline whose undrawable points are `None` (the line is
/// interrupted there). Pieces have at least two points.
pub(super) fn clip_polyline(points: &[Option<(f64, f64)>], bounds: Bounds) -> Vec<Vec<(f64, f64)>> {
    let mut pieces = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    let mut flush = |current: &mut Vec<(f64, f64)>| {
        if current.len() >= 2 {
            pieces.push(std::mem::take(current));
        } else {
            current.clear();
        }
    };
    for pair in points.windows(2) {
        let (Some(a), Some(b)) = (pair[0], pair[1]) else {
            flush(&mut current);
            continue;
        };
        match clip_segment(a, b, bounds) {
            Some((start, end)) => {
                // `current` is non-empty only if it ends at `a`, unclipped.
                if current.is_empty() || start != a {
                    flush(&mut current);
                    current.push(start);
                }
                current.push(end);
                if end != b {
                    flush(&mut current);
                }
            }
            None => flush(&mut current),
        }
    }
    flush(&mut current);
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNIT: Bounds = Bounds {
        x: (0.0, 1.0),
        y: (0.0, 1.0),
    };

    #[test]
    fn inside_lines_are_kept_whole() {
        let line = [Some((0.0, 0.0)), Some((0.5, 0.5)), Some((1.0, 0.2))];
        assert_eq!(
            clip_polyline(&line, UNIT),
            vec![vec![(0.0, 0.0), (0.5, 0.5), (1.0, 0.2)]]
        );
    }

    #[test]
    fn lines_are_cut_at_the_edges_and_at_gaps() {
        let line = [
            Some((0.0, 0.5)),
            Some((0.5, 1.5)), // leaves through the top
            Some((1.0, 0.5)), // comes back
            None,
            Some((0.2, 0.2)),
            Some((0.3, 0.3)),
            Some((2.0, 2.0)),
            Some((3.0, 3.0)), // fully outside
        ];
        let pieces = clip_polyline(&line, UNIT);
        assert_eq!(pieces.len(), 3, "{pieces:?}");
        assert_eq!(pieces[0], vec![(0.0, 0.5), (0.25, 1.0)]);
        assert_eq!(pieces[1], vec![(0.75, 1.0), (1.0, 0.5)]);
        assert_eq!(pieces[2], vec![(0.2, 0.2), (0.3, 0.3), (1.0, 1.0)]);
    }

    #[test]
    fn isolated_points_draw_nothing() {
        assert!(clip_polyline(&[Some((0.5, 0.5))], UNIT).is_empty());
        assert!(clip_polyline(&[Some((0.5, 0.5)), None, Some((0.6, 0.5))], UNIT).is_empty());
        assert!(clip_polyline(&[], UNIT).is_empty());
    }
}
