//! [`Dots`]: many filled round markers as one textured mesh. egui_plot's
//! `Points` pushes a circle shape per point, and tessellating 50 000
//! circles took about half of the Channels view's frame; here every point is
//! one quad (4 vertices) over a small anti-aliased disc texture, tinted by
//! the vertex colour. The item wraps a `Points` for everything else (its id,
//! name and colour in the legend, bounds, hover geometry), so it behaves as
//! the points it replaces.

use egui::epaint::Mesh;
use egui::{Color32, ColorImage, Rect, Shape, TextureHandle, TextureOptions, Ui, pos2, vec2};
use egui_plot::{PlotItem, PlotPoint, PlotTransform, Points};

/// The `PlotItem` methods of an item that draws a wrapped egui_plot item
/// (`self.inner`: its id, legend entry, bounds and highlight) its own way:
/// `self.color`, and `self.$points` as the hover geometry.
macro_rules! wrapped_item_methods {
    ($points:ident) => {
        fn initialize(&mut self, x_range: std::ops::RangeInclusive<f64>) {
            self.inner.initialize(x_range);
        }

        fn color(&self) -> egui::Color32 {
            self.color
        }

        fn geometry(&self) -> egui_plot::PlotGeometry<'_> {
            egui_plot::PlotGeometry::Points(self.$points)
        }

        fn bounds(&self) -> egui_plot::PlotBounds {
            self.inner.bounds()
        }

        fn base(&self) -> &egui_plot::PlotItemBase {
            self.inner.base()
        }

        fn base_mut(&mut self) -> &mut egui_plot::PlotItemBase {
            self.inner.base_mut()
        }
    };
}
pub(super) use wrapped_item_methods;

/// Side of the disc texture in texels.
const DISC: usize = 32;

/// Filled round markers of one colour and radius, drawn as one mesh.
pub(crate) struct Dots<'a> {
    inner: Points<'a>,
    points: &'a [PlotPoint],
    color: Color32,
    radius: f32,
}

impl<'a> Dots<'a> {
    /// `inner` is the `Points` this replaces (built with the same points,
    /// colour and radius, and its id); `points`, `color` and `radius` are
    /// what is drawn.
    pub fn new(inner: Points<'a>, points: &'a [PlotPoint], color: Color32, radius: f32) -> Self {
        Self {
            inner,
            points,
            color,
            radius,
        }
    }
}

/// The disc texture (white, alpha = coverage of a circle filling it, its edge
/// anti-aliased over one texel), made once per context.
fn disc(ui: &Ui) -> TextureHandle {
    let id = egui::Id::unique("stadyn.plot_dots.disc");
    if let Some(t) = ui.ctx().data(|d| d.get_temp::<TextureHandle>(id)) {
        return t;
    }
    let c = DISC as f32 / 2.0;
    let pixels: Vec<Color32> = (0..DISC * DISC)
        .map(|i| {
            let (x, y) = ((i % DISC) as f32 + 0.5 - c, (i / DISC) as f32 + 0.5 - c);
            let cover = (c - 0.5 - (x * x + y * y).sqrt() + 0.5).clamp(0.0, 1.0);
            Color32::from_white_alpha((cover * 255.0).round() as u8)
        })
        .collect();
    let image = ColorImage::new([DISC, DISC], pixels);
    let t = ui
        .ctx()
        .load_texture("stadyn.plot_dots.disc", image, TextureOptions::LINEAR);
    ui.ctx().data_mut(|d| d.insert_temp(id, t.clone()));
    t
}

/// Filled dots at `pts` of one colour, as `Points` named `name` with item
/// id `id` would draw them.
pub(crate) fn dots<'p>(
    name: &str,
    pts: &'p [PlotPoint],
    id: impl std::hash::Hash,
    color: Color32,
    radius: f32,
) -> Dots<'p> {
    let inner = Points::new(name, egui_plot::PlotPoints::Borrowed(pts))
        .id(id)
        .color(color)
        .radius(radius)
        .filled(true);
    Dots::new(inner, pts, color, radius)
}

impl PlotItem for Dots<'_> {
    fn shapes(&self, ui: &Ui, transform: &PlotTransform, shapes: &mut Vec<Shape>) {
        if self.points.is_empty() {
            return;
        }
        let texture = disc(ui);
        let mut radius = self.radius;
        if self.inner.highlighted() {
            radius *= 2f32.sqrt();
        }
        // The texture's disc fills it; one texel of margin keeps the edge soft.
        let half = radius * DISC as f32 / (DISC as f32 - 2.0);
        let clip = transform.frame().expand(half);
        let mut mesh = Mesh::with_texture(texture.id());
        mesh.vertices.reserve(self.points.len() * 4);
        mesh.indices.reserve(self.points.len() * 6);
        for p in self.points {
            let centre = transform.position_from_point(p);
            if !clip.contains(centre) {
                continue;
            }
            let rect = Rect::from_center_size(centre, vec2(2.0 * half, 2.0 * half));
            let uv = Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0));
            mesh.add_rect_with_uv(rect, uv, self.color);
        }
        shapes.push(Shape::mesh(mesh));
    }

    wrapped_item_methods!(points);
}
