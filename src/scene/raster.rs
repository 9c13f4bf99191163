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

fn render(svg: &str, scale: f32) -> Result<resvg::tiny_skia::Pixmap, String> {
    let tree = resvg::usvg::Tree::from_str(svg, options())
        .map_err(|e| format!("cannot read the SVG: {e}"))?;
    let size = tree.size();
    let width = (size.width() * scale).ceil().max(1.0) as u32;
    let height = (size.height() * scale).ceil().max(1.0) as u32;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(width, height)
        .ok_or_else(|| format!("cannot make a {width} × {height} image"))?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    Ok(pixmap)
}

/// Rasterises `svg` at `scale` (1.0 = its own pixel size).
pub fn rasterize(svg: &str, scale: f32) -> Result<Image, String> {
    let pixmap = render(svg, scale)?;
    Ok(Image {
        width: pixmap.width(),
        height: pixmap.height(),
        rgba: pixmap.take_demultiplied(),
    })
}

/// Rasterises `svg` at `scale` and encodes it as PNG.
pub fn png(svg: &str, scale: f32) -> Result<Vec<u8>, String> {
    render(svg, scale)?
        .encode_png()
        .map_err(|e| format!("cannot encode the PNG: {e}"))
}
