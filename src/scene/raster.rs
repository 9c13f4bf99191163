//! SVG text to pixels and PNG files, with resvg and the app's own font (Ubuntu Light, from
//! egui's default fonts), so a rendering does not depend on the machine's fonts.

use std::sync::OnceLock;

/// An image, RGBA with straight alpha, row by row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// 4 bytes per pixel.
    pub rgba: Vec<u8>,
}

/// Why an SVG document could not be turned into pixels or a PNG.
#[derive(Debug)]
pub enum RenderError {
    /// The SVG text could not be read (ganscope writes it, so this is a bug).
    Svg(resvg::usvg::Error),
    /// No image of this size can be made (zero or too big).
    Size {
        /// Pixels across.
        width: u32,
        /// Pixels down.
        height: u32,
    },
    /// The PNG encoder failed.
    Png(Box<dyn std::error::Error + Send + Sync>),
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Svg(e) => write!(f, "cannot read the SVG: {e}"),
            Self::Size { width, height } => write!(f, "cannot make a {width} × {height} image"),
            Self::Png(e) => write!(f, "cannot encode the PNG: {e}"),
        }
    }
}

impl std::error::Error for RenderError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Svg(e) => Some(e),
            Self::Size { .. } => None,
            Self::Png(e) => Some(e.as_ref()),
        }
    }
}

fn options() -> &'static resvg::usvg::Options<'static> {
    static OPTIONS: OnceLock<resvg::usvg::Options<'static>> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let mut opt = resvg::usvg::Options {
            font_family: "Ubuntu".to_owned(),
            ..resvg::usvg::Options::default()
        };
        opt.fontdb_mut()
            .load_font_data(epaint_default_fonts::UBUNTU_LIGHT.to_vec());
        opt.fontdb_mut()
            .load_font_data(epaint_default_fonts::HACK_REGULAR.to_vec());
        opt
    })
}

fn render(svg: &str, scale: f32) -> Result<resvg::tiny_skia::Pixmap, RenderError> {
    let tree = resvg::usvg::Tree::from_str(svg, options()).map_err(RenderError::Svg)?;
    let size = tree.size();
    let width = (size.width() * scale).ceil().max(1.0) as u32;
    let height = (size.height() * scale).ceil().max(1.0) as u32;
    let mut pixmap =
        resvg::tiny_skia::Pixmap::new(width, height).ok_or(RenderError::Size { width, height })?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    Ok(pixmap)
}

/// Rasterises `svg` at `scale` (1.0 = its own pixel size).
pub fn rasterize(svg: &str, scale: f32) -> Result<Image, RenderError> {
    let pixmap = render(svg, scale)?;
    Ok(Image {
        width: pixmap.width(),
        height: pixmap.height(),
        rgba: pixmap.take_demultiplied(),
    })
}

/// Rasterises `svg` at `scale` and encodes it as PNG.
pub fn png(svg: &str, scale: f32) -> Result<Vec<u8>, RenderError> {
    render(svg, scale)?
        .encode_png()
        .map_err(|e| RenderError::Png(Box::new(e)))
}
