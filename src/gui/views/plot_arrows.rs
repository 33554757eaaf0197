//! [`ArrowMesh`]: many arrows of one colour as one mesh. egui_plot's
//! `Arrows` pushes two line shapes per arrow, and tessellating the 5 000
//! arrows of a Compare scatter took most of that view's frame (4.5 of
//! 5 ms). Here each of an arrow's three strokes (shaft and the two sides of
//! its tip, at egui_plot's angle) is a strip of six vertices whose alpha
//! falls from the stroke's middle to nothing one pixel out, which is how a
//! feathered one-pixel line looks. The item wraps an `Arrows` for its name,
//! colour, legend entry and bounds, so it behaves as the arrows it replaces.

use egui::epaint::{Mesh, Vertex, WHITE_UV};
use egui::{Color32, Pos2, Shape, Ui, Vec2};
use egui_plot::{Arrows, PlotItem, PlotPoint, PlotPoints, PlotTransform};

use super::plot_dots::wrapped_item_methods;

/// Arrows from `from[i]` to `to[i]` of one colour, drawn as one mesh.
pub(crate) struct ArrowMesh<'a> {
    inner: Arrows<'a>,
    from: &'a [PlotPoint],
    to: &'a [PlotPoint],
    color: Color32,
    tip_length: f32,
}

/// Arrows named `name` from `from` to `to` (same length), with tips
/// `tip_length` pixels long, as egui_plot's `Arrows` would draw them (not
/// hoverable).
pub(crate) fn arrows<'p>(
    name: &str,
    from: &'p [PlotPoint],
    to: &'p [PlotPoint],
    color: Color32,
    tip_length: f32,
) -> ArrowMesh<'p> {
    let inner = Arrows::new(name, PlotPoints::Borrowed(from), PlotPoints::Borrowed(to))
        .color(color)
        .tip_length(tip_length)
        .allow_hover(false);
    ArrowMesh {
        inner,
        from,
        to,
        color,
        tip_length,
    }
}

/// Adds a stroke from `a` to `b` to `mesh`: a tent of alpha across it,
/// full on the segment and none `reach` pixels to either side.
fn stroke(mesh: &mut Mesh, a: Pos2, b: Pos2, reach: f32, color: Color32) {
    let along = b - a;
    let len = along.length();
    if len <= f32::EPSILON || !len.is_finite() {
        return;
    }
    let n = Vec2::new(-along.y, along.x) * (reach / len);
    let base = mesh.vertices.len() as u32;
    let vertex = |pos: Pos2, color: Color32| Vertex {
        pos,
        uv: WHITE_UV,
        color,
    };
    mesh.vertices.extend([
        vertex(a + n, Color32::TRANSPARENT),
        vertex(a, color),
        vertex(a - n, Color32::TRANSPARENT),
        vertex(b + n, Color32::TRANSPARENT),
        vertex(b, color),
        vertex(b - n, Color32::TRANSPARENT),
    ]);
    // Two quads: the + side (0 1 4 3) and the − side (1 2 5 4).
    for [i, j, k] in [[0, 1, 4], [0, 4, 3], [1, 2, 5], [1, 5, 4]] {
        mesh.indices.extend([base + i, base + j, base + k]);
    }
}

impl PlotItem for ArrowMesh<'_> {
    fn shapes(&self, _ui: &Ui, transform: &PlotTransform, shapes: &mut Vec<Shape>) {
        if self.from.is_empty() {
            return;
        }
        // A highlighted (legend-hovered) item is drawn two pixels wide, as
        // egui_plot does.
        let reach = if self.inner.highlighted() { 1.5 } else { 1.0 };
        let (sin, cos) = (std::f32::consts::TAU / 10.0).sin_cos();
        let clip = transform.frame().expand(self.tip_length + reach);
        let mut mesh = Mesh::default();
        mesh.vertices.reserve(self.from.len() * 18);
        mesh.indices.reserve(self.from.len() * 36);
        for (from, to) in self.from.iter().zip(self.to) {
            let (a, b) = (
                transform.position_from_point(from),
                transform.position_from_point(to),
            );
            if !clip.contains(a) && !clip.contains(b) {
                continue;
            }
            stroke(&mut mesh, a, b, reach, self.color);
            let dir = (b - a).normalized();
            if !dir.x.is_finite() || !dir.y.is_finite() {
                continue; // no direction: no tip (as a zero-length arrow)
            }
            // `dir` turned by ∓36°, as egui_plot's tip.
            let left = Vec2::new(cos * dir.x + sin * dir.y, -sin * dir.x + cos * dir.y);
            let right = Vec2::new(cos * dir.x - sin * dir.y, sin * dir.x + cos * dir.y);
            stroke(&mut mesh, b - self.tip_length * left, b, reach, self.color);
            stroke(&mut mesh, b - self.tip_length * right, b, reach, self.color);
        }
        shapes.push(Shape::mesh(mesh));
    }

    wrapped_item_methods!(from);
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use egui::pos2;

    #[test]
    fn a_stroke_is_full_on_its_line_and_clear_a_pixel_out() {
        let mut mesh = Mesh::default();
        let red = Color32::RED;
        stroke(&mut mesh, pos2(0.0, 0.0), pos2(10.0, 0.0), 1.0, red);
        assert_eq!(mesh.vertices.len(), 6);
        assert_eq!(mesh.indices.len(), 12);
        let at = |i: usize| (mesh.vertices[i].pos, mesh.vertices[i].color);
        assert_eq!(at(1), (pos2(0.0, 0.0), red));
        assert_eq!(at(4), (pos2(10.0, 0.0), red));
        for i in [0, 2, 3, 5] {
            assert_eq!(at(i).1, Color32::TRANSPARENT);
            assert!((at(i).0.y.abs() - 1.0).abs() < 1e-6, "{:?}", at(i).0);
        }
        assert!(mesh.is_valid());
        // Nothing for a point or a non-finite end.
        stroke(&mut mesh, pos2(3.0, 3.0), pos2(3.0, 3.0), 1.0, red);
        stroke(&mut mesh, pos2(3.0, 3.0), pos2(f32::NAN, 3.0), 1.0, red);
        assert_eq!(mesh.vertices.len(), 6);
    }
}
