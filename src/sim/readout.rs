//! "Explain this number": the figure read at one x, and each quantity the app shows written
//! as its formula with the live values substituted, so a student can redo the sum.
//!
//! Every formula ends in "= value", where value is the very number the app shows for that
//! quantity (the tests parse it back, see [`printed_result`]), so a formula can never
//! disagree with the number beside it. The text is ASCII apart from Σ, ∫, ∂, θ and λ,
//! which the app's proportional font has.

use super::analysis::{Analysis, DReading};
use super::breakpoint::{Breakpoint, Fired};
use super::float::softplus;
use super::ideal::IdealView;
use super::loss::LossKind;
use super::settings::TrainingSettings;
use super::story::Evidence;
use super::trainer::Player;

/// log 4 = 2 log 2, −C(G) at its global minimum (Theorem 1).
pub const LOG4: f64 = 2.0 * std::f64::consts::LN_2;

/// The figure read at one x: the curves there, and the z that G maps to it.
#[derive(Clone, Debug, PartialEq)]
pub struct Readout {
    /// Where it is read.
    pub x: f64,
    /// p_data(x).
    pub p_data: f64,
    /// p_g(x).
    pub p_g: f64,
    /// D(x) as a probability (for a critic loss: σ(f(x)), which the figure does not draw).
    pub d: f64,
    /// D's raw output: a logit, or the critic's value f(x).
    pub d_raw: f64,
    /// How D reads: a probability, or a critic's score.
    pub d_reading: DReading,
    /// D*(x) = p_data(x) / (p_data(x) + p_g(x)), from the two values above (1/2 where both
    /// vanish).
    pub d_star: f64,
    /// Every z on the z line's grid with G(z) = x, increasing.
    pub z_preimages: Vec<f64>,
}

impl Readout {
    /// Reads `curves` at `x` by linear interpolation between its grid points (x beyond
    /// the grid reads the end points), and finds the z of `ideal`'s grid with G(z) = x.
    pub fn at(curves: &Analysis, ideal: &IdealView, x: f64) -> Self {
        let read = |ys: &[f64]| interpolate(&curves.x, ys, x);
        let (p_data, p_g) = (read(&curves.p_data), read(&curves.p_g));
        Self {
            x,
            p_data,
            p_g,
            d: read(&curves.d),
            d_raw: read(&curves.d_raw),
            d_reading: curves.d_reading,
            d_star: optimal_d(p_data, p_g),
            z_preimages: preimages(&ideal.z, &ideal.g, x),
        }
    }
}

/// D* = p_data / (p_data + p_g), 1/2 where both vanish (Proposition 1).
fn optimal_d(p_data: f64, p_g: f64) -> f64 {
    if p_data + p_g > 0.0 {
        p_data / (p_data + p_g)
    } else {
        0.5
    }
}

/// The piecewise-linear interpolant of (`xs`, `ys`) at `x` (`xs` increasing); the end
/// values beyond the ends, 0 for an empty grid.
pub fn interpolate(xs: &[f64], ys: &[f64], x: f64) -> f64 {
    let n = xs.len().min(ys.len());
    let (Some(&first), Some(&last)) = (xs.first(), xs.get(n.wrapping_sub(1))) else {
        return 0.0;
    };
    if x <= first {
        return ys.first().copied().unwrap_or(0.0);
    }
    if x >= last {
        return ys.get(n - 1).copied().unwrap_or(0.0);
    }
    let j = xs[..n].partition_point(|&xj| xj <= x).clamp(1, n - 1);
    let (x0, x1, y0, y1) = (xs[j - 1], xs[j], ys[j - 1], ys[j]);
    if x1 > x0 {
        y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    } else {
        y0
    }
}

/// The z with G(z) = `x`: every sign change of G(z) − x between neighbouring points of the
/// grid (`z` increasing, `g` = G(z)), placed where the linear interpolant of G crosses x.
/// A grid point exactly at x counts once.
pub fn preimages(z: &[f64], g: &[f64], x: f64) -> Vec<f64> {
    let mut out = Vec::new();
    for (zs, gs) in z.windows(2).zip(g.windows(2)) {
        let (a, b) = (gs[0] - x, gs[1] - x);
        if a == 0.0 {
            out.push(zs[0]);
        } else if a * b < 0.0 {
            out.push(zs[0] + (zs[1] - zs[0]) * a / (a - b));
        }
    }
    if let (Some(&zl), Some(&gl)) = (z.last(), g.last())
        && gl == x
        && z.len() == g.len()
    {
        out.push(zl);
    }
    out
}

/// `v` with four significant digits: fixed-point from 0.001 to 99 999, exponent form
/// outside (and "0" for zero).
pub fn number(v: f64) -> String {
    significant(v, 4)
}

/// `v` with `digits` significant digits (at least 1), as [`number`] writes it.
pub fn significant(v: f64, digits: usize) -> String {
    let digits = digits.max(1);
    if !v.is_finite() {
        return format!("{v}");
    }
    if v == 0.0 {
        return "0".to_owned();
    }
    let a = v.abs();
    if !(1e-3..1e5).contains(&a) {
        let decimals = digits - 1;
        return format!("{v:.decimals$e}");
    }
    let decimals = (digits as i32 - 1 - a.log10().floor() as i32).clamp(0, 8) as usize;
    format!("{v:.decimals$}")
}

/// " + b" or " - |b|", so a sum reads as written by hand.
fn plus(b: f64) -> String {
    if b < 0.0 {
        format!(" - {}", number(-b))
    } else {
        format!(" + {}", number(b))
    }
}

/// The number after the last "=" of `formula` and half a unit of its last printed digit:
/// the value a formula shows and how precisely (tests compare it with the quantity).
pub fn printed_result(formula: &str) -> Option<(f64, f64)> {
    let (_, tail) = formula.rsplit_once('=')?;
    let token: String = tail
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e'))
        .collect();
    let value: f64 = token.parse().ok()?;
    let (mantissa, exponent) = match token.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().ok()?),
        None => (token.as_str(), 0),
    };
    let decimals = mantissa.split_once('.').map_or(0, |(_, d)| d.len()) as i32;
    Some((value, 0.5 * 10f64.powi(exponent - decimals)))
}

/// D*(x) with its inputs: "D*(x) = p_data(x) / (p_data(x) + p_g(x))", then on a second
/// line "= 0.3100 / (0.3100 + 0.1200) = 0.7209" (Proposition 1).
pub fn d_star_formula(p_data: f64, p_g: f64) -> String {
    let head = "D*(x) = p_data(x) / (p_data(x) + p_g(x))";
    if p_data + p_g > 0.0 {
        format!(
            "{head}\n  = {} / ({}{}) = {}",
            number(p_data),
            number(p_data),
            plus(p_g),
            number(optimal_d(p_data, p_g))
        )
    } else {
        format!("{head}\n  is 0 / 0 here, so any D is optimal: D*(x) = 0.5")
    }
}

/// D's reading at x in the paper's terms.
pub fn d_line(readout: &Readout) -> String {
    match readout.d_reading {
        DReading::Probability => format!(
            "D(x) = {}: D's probability that x came from the data",
            number(readout.d)
        ),
        DReading::Critic => format!(
            "critic f(x) = {}: a score, higher for data, on no fixed scale",
            number(readout.d_raw)
        ),
    }
}

/// Where x comes from in z: the z with G(z) = x.
pub fn preimage_line(readout: &Readout) -> String {
    let list: Vec<String> = readout.z_preimages.iter().map(|&z| number(z)).collect();
    match list.len() {
        0 => "no z on the z line maps here: G(z) = x has no solution".to_owned(),
        1 => format!("x = G(z) for z = {}", list.join(", ")),
        n => format!(
            "x = G(z) for {n} values of z (G folds): z = {}",
            list.join(", ")
        ),
    }
}

/// (KL(p_data ‖ M), KL(p_g ‖ M)) with M = (p_data + p_g)/2, on `a`'s grid: JSD is their
/// mean.
pub fn jsd_halves(a: &Analysis) -> (f64, f64) {
    let (pd, pg) = (probabilities(&a.p_data), probabilities(&a.p_g));
    let kl_to_mixture = |p: &[f64], q: &[f64]| -> f64 {
        p.iter()
            .zip(q)
            .map(|(&a, &b)| {
                let m = 0.5 * (a + b);
                if a > 0.0 { a * (a / m).ln() } else { 0.0 }
            })
            .sum()
    };
    (kl_to_mixture(&pd, &pg), kl_to_mixture(&pg, &pd))
}

/// Densities on a grid as probabilities per bin (summing to 1 unless all are 0).
fn probabilities(p: &[f64]) -> Vec<f64> {
    let total: f64 = p.iter().sum();
    if total > 0.0 {
        p.iter().map(|v| v / total).collect()
    } else {
        p.to_vec()
    }
}

/// JSD's definition and value; with the two KL terms (see [`jsd_halves`]) when known.
pub fn jsd_formula(jsd: f64, halves: Option<(f64, f64)>) -> String {
    let definition = "JSD(p_data || p_g) = 1/2 KL(p_data || M) + 1/2 KL(p_g || M)\n  \
         with M = (p_data + p_g)/2 and KL(P || Q) = ∫ P log(P/Q) dx";
    match halves {
        Some((a, b)) => format!(
            "{definition}\n  = 1/2 x {} + 1/2 x {} = {}",
            number(a),
            number(b),
            number(0.5 * (a + b))
        ),
        None => format!("{definition}\n  = {}", number(jsd)),
    }
}

/// Theorem 1 with the JSD substituted: "C(G) = -log 4 + 2 JSD = -1.386 + 2 x 0.002600 =
/// -1.3811" (the result to five digits, so that it differs from -log 4 as C(G) does).
pub fn c_g_formula(jsd: f64) -> String {
    format!(
        "C(G) = max_D V(D, G) = -log 4 + 2 JSD = {} + 2 x {} = {}",
        number(-LOG4),
        number(jsd),
        significant(-LOG4 + 2.0 * jsd, 5)
    )
}

/// V(D, G)'s two terms on `a`'s grid for the current D: (E_{x~p_data} log D(x),
/// E_{z~p_z} log(1 − D(G(z)))), taken on D's raw output as [`Analysis`] takes them.
pub fn value_terms(a: &Analysis, loss: LossKind) -> (f64, f64) {
    let (pd, pg) = (probabilities(&a.p_data), probabilities(&a.p_g));
    let (mut data, mut generated) = (0.0, 0.0);
    for ((&p, &q), &l) in pd.iter().zip(&pg).zip(&a.d_raw) {
        if loss == LossKind::LeastSquares {
            let d = l.clamp(1e-12, 1.0 - 1e-12);
            if p > 0.0 {
                data += p * d.ln();
            }
            if q > 0.0 {
                generated += q * (1.0 - d).ln();
            }
        } else {
            data -= p * softplus(-l);
            generated -= q * softplus(l);
        }
    }
    (data, generated)
}

/// V(D, G) (equation 1), with its two terms when known.
pub fn value_formula(value: f64, terms: Option<(f64, f64)>) -> String {
    let head = "V(D, G) = E_{x~p_data}[log D(x)] + E_{z~p_z}[log(1 - D(G(z)))]";
    match terms {
        Some((a, b)) => format!("{head}\n  = {}{} = {}", number(a), plus(b), number(a + b)),
        None => format!("{head}\n  = {}", number(value)),
    }
}

/// (mean of |F_data − F_g| over `a`'s grid, the grid's width): W1 is their product.
pub fn w1_parts(a: &Analysis) -> (f64, f64) {
    let (pd, pg) = (probabilities(&a.p_data), probabilities(&a.p_g));
    let (mut fd, mut fg, mut total) = (0.0, 0.0, 0.0);
    for (&p, &q) in pd.iter().zip(&pg) {
        fd += p;
        fg += q;
        total += (fd - fg).abs();
    }
    let n = pd.len().max(1) as f64;
    (total / n, n * a.dx)
}

/// W1 = ∫ |F_data − F_g| dx, as (mean gap) × (width) when the parts are known.
pub fn w1_formula(w1: f64, parts: Option<(f64, f64)>) -> String {
    let head = "W1 = ∫ |F_data(x) - F_g(x)| dx (F: the CDFs)";
    match parts {
        Some((gap, width)) => format!(
            "{head}\n  = mean |F_data - F_g| over the x range x its width\n  = {} x {} = {}",
            number(gap),
            number(width),
            number(gap * width)
        ),
        None => format!("{head}\n  = {}", number(w1)),
    }
}

/// p_g's mean against the target's.
pub fn mean_formula(p_g_mean: f64, data_mean: f64) -> String {
    format!(
        "the target's mean: E_{{x~p_data}}[x] = {}\np_g's mean: E_{{x~p_g}}[x] = ∫ x p_g(x) dx = {}",
        number(data_mean),
        number(p_g_mean)
    )
}

/// p_g's standard deviation against the target's.
pub fn std_formula(p_g_std: f64, data_std: f64) -> String {
    format!(
        "the target's std: {}\np_g's std: sqrt(E_{{x~p_g}}[(x - E x)^2]) = {}",
        number(data_std),
        number(p_g_std)
    )
}

/// The minibatch loss of `player` under `kind` with its value: m data x_i and m samples
/// G(z_i), D's raw output a logit (D = σ(logit)) or a critic f. `penalty` is WGAN-GP's
/// gradient-penalty term, included in D's loss, when known.
pub fn loss_formula(
    kind: LossKind,
    player: Player,
    batch: usize,
    loss: f64,
    penalty: Option<f64>,
) -> String {
    let who = match player {
        Player::Discriminator => "D",
        Player::Generator => "G",
    };
    let intro = format!(
        "{who}'s {kind} loss on the last minibatch (m = {batch} data x_i and {batch} samples G(z_i)):"
    );
    if !loss.is_finite() {
        return format!("{intro}\n  no {who} step yet");
    }
    let sum = "(1/m) Σ_i";
    let formula = match (player, kind) {
        (Player::Discriminator, LossKind::Minimax | LossKind::NonSaturating) => format!(
            "L_D = -{sum} log D(x_i) - {sum} log(1 - D(G(z_i)))  (= -V(D, G) on the minibatch)"
        ),
        (Player::Generator, LossKind::Minimax) => format!("L_G = {sum} log(1 - D(G(z_i)))"),
        (Player::Generator, LossKind::NonSaturating) => format!("L_G = -{sum} log D(G(z_i))"),
        (Player::Discriminator, LossKind::LeastSquares) => {
            format!("L_D = 1/2 {sum} (D(x_i) - 1)^2 + 1/2 {sum} D(G(z_i))^2")
        }
        (Player::Generator, LossKind::LeastSquares) => {
            format!("L_G = 1/2 {sum} (D(G(z_i)) - 1)^2")
        }
        (Player::Discriminator, LossKind::WassersteinClip) => {
            format!("L_D = {sum} f(G(z_i)) - {sum} f(x_i)")
        }
        (Player::Discriminator, LossKind::WassersteinGp) => {
            let Some(penalty) = penalty else {
                return format!(
                    "{intro}\nL_D = {sum} f(G(z_i)) - {sum} f(x_i) + λ E[max(0, |f'(x^)| - 1)^2]\n  = {}",
                    number(loss)
                );
            };
            return format!(
                "{intro}\nL_D = {sum} f(G(z_i)) - {sum} f(x_i) + λ E[max(0, |f'(x^)| - 1)^2]\n  \
                 = critic term + gradient penalty = {}{} = {}",
                number(loss - penalty),
                plus(penalty),
                number(loss)
            );
        }
        (Player::Discriminator, LossKind::Hinge) => {
            format!("L_D = {sum} max(0, 1 - f(x_i)) + {sum} max(0, 1 + f(G(z_i)))")
        }
        (
            Player::Generator,
            LossKind::WassersteinClip | LossKind::WassersteinGp | LossKind::Hinge,
        ) => format!("L_G = -{sum} f(G(z_i))"),
    };
    format!("{intro}\n{formula}\n  = {}", number(loss))
}

/// The norm of `player`'s last gradient.
pub fn grad_norm_formula(player: Player, norm: f64) -> String {
    let who = match player {
        Player::Discriminator => "D",
        Player::Generator => "G",
    };
    if !norm.is_finite() {
        return format!("|∂L_{who}/∂θ_{who}|: no {who} step yet");
    }
    format!(
        "the size of {who}'s last gradient step direction, over all of {who}'s weights θ_{who}:\n\
         |∂L_{who}/∂θ_{who}| = sqrt(Σ_j (∂L_{who}/∂θ_j)^2) = {}",
        number(norm)
    )
}

/// The learning rate in force for `player` at `iteration`: the set rate times the linear
/// decay factor 1 − t/T (T = `lr_decay_iters`, no decay when 0).
pub fn lr_formula(training: &TrainingSettings, player: Player, iteration: u64) -> String {
    let (who, set) = match player {
        Player::Discriminator => ("D", training.lr_d),
        Player::Generator => ("G", training.lr_g),
    };
    let factor = training.lr_factor(iteration);
    let t_max = training.lr_decay_iters;
    if t_max == 0 {
        return format!(
            "{who}'s learning rate, constant (training.lr_decay_iters is 0, no decay):\n  lr_{who} = {}",
            number(set)
        );
    }
    format!(
        "{who}'s learning rate in force: the set rate times the decay 1 - t/T, which falls linearly to 0 at T = training.lr_decay_iters\n  \
         lr_{who} x max(0, 1 - t/T) = {} x (1 - {iteration}/{t_max}) = {} x {} = {}",
        number(set),
        number(set),
        number(factor),
        number(set * factor)
    )
}

/// A fired breakpoint in one line, e.g. "jsd<0.01 held at iteration 812: jsd = 0.0099":
/// its Display, which is ASCII so the app's font draws all of it.
pub fn fired_line(fired: &Fired) -> String {
    fired.to_string()
}

/// Why a fired breakpoint's condition is the one it is, in the paper's terms.
pub fn fired_formula(fired: &Fired) -> String {
    let meaning = match fired.breakpoint {
        Breakpoint::JsdBelow(eps) => format!(
            "JSD(p_data || p_g) fell below {}: p_g has come close to p_data, and C(G) = -log 4 + 2 JSD close to its minimum -log 4 (Theorem 1)",
            number(eps)
        ),
        Breakpoint::ModeLost => {
            "a mode of the mixture holds under a fifth of its data weight in p_g (§6, the Helvetica scenario)"
                .to_owned()
        }
        Breakpoint::DSaturated => {
            "mean D(G(z)) left [0.01, 0.99]: D rejects (or accepts) nearly every sample, so the minimax G gradient vanishes (§3)"
                .to_owned()
        }
        Breakpoint::GradGBelow(eps) => format!(
            "the norm of G's last gradient fell below {}: G has (nearly) stopped moving",
            number(eps)
        ),
        Breakpoint::Iteration(n) => format!("the run reached iteration {n}"),
    };
    format!(
        "The run paused because a breakpoint held: {meaning}.\n{}\nPlay goes on from here.",
        fired_line(fired)
    )
}

/// The formula behind one of Figure 1's evidence lines, with its value last; `siblings`
/// are the other numbers of the same panel (the C(G) line uses the panel's JSD).
pub fn evidence_formula(e: &Evidence, siblings: &[Evidence]) -> String {
    let name = e.name.as_str();
    let v = e.value;
    let bound = e.bound.map_or(String::new(), |b| {
        let met = if b.holds(v) { "met" } else { "NOT met" };
        format!(
            "The panel needs it {} {} ({met}).\n",
            b.symbol(),
            number(b.limit)
        )
    });
    let jsd = siblings
        .iter()
        .find(|s| s.name.starts_with("JSD("))
        .map(|s| s.value);
    if name.starts_with("JSD") {
        format!(
            "{}\nexact, on the whole support; then {}\n{}",
            bound.trim_end(),
            c_g_formula(v),
            jsd_formula(v, None)
        )
    } else if name == "C(G) + log 4" {
        match jsd {
            Some(j) => format!(
                "{bound}Theorem 1: C(G) = max_D V(D, G) = -log 4 + 2 JSD, so\n  \
                 C(G) + log 4 = 2 JSD(p_data || p_g) = 2 x {} = {}",
                number(j),
                number(2.0 * j)
            ),
            None => format!("{bound}C(G) + log 4 = 2 JSD (Theorem 1) = {}", number(v)),
        }
    } else if name.contains("|D - D*|") {
        format!(
            "{bound}D*(x) = p_data(x) / (p_data(x) + p_g(x)), the best D for this G (Proposition 1);\n\
             the largest gap where the densities carry mass:\n  {name} = {}",
            number(v)
        )
    } else if name.starts_with("accuracy") {
        format!(
            "{bound}D as a classifier of data against G's samples, each class weighted 1/2:\n  \
             1/2 P_{{x~p_data}}(D(x) > 1/2) + 1/2 P_{{x~p_g}}(D(x) < 1/2) = {}",
            number(v)
        )
    } else if name.contains("|D - 1/2|") {
        format!(
            "{bound}At p_g = p_data, D* = 1/2 everywhere: D cannot tell the two apart (Theorem 1).\n  \
             {name} = {}",
            number(v)
        )
    } else if name.contains("E_z D(G(z))") {
        format!(
            "{bound}E_z D(G(z)) = ∫ p_z(z) D(G(z)) dz: how much D takes G's samples for data.\n  {name} = {}",
            number(v)
        )
    } else {
        format!("{bound}{name} = {}", number(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::analysis::{AnalysisOptions, density_by_preimages};
    use crate::sim::{Settings, Trainer};

    /// Asserts that `formula` ends in `expected` to its printed precision.
    fn shows(formula: &str, expected: f64) {
        let (value, half) = printed_result(formula)
            .unwrap_or_else(|| panic!("no number after the last '=' in {formula:?}"));
        assert!(
            (value - expected).abs() <= half * 1.000_001 + 1e-15,
            "{formula:?} shows {value}, the quantity is {expected}"
        );
    }

    fn trained(preset: &str, iterations: u64) -> Trainer {
        let mut t = Trainer::new(Settings::preset(preset).expect("preset")).expect("valid");
        t.run(iterations).expect("finite");
        t
    }

    #[test]
    fn numbers_keep_four_significant_digits_and_parse_back() {
        assert_eq!(number(0.7209), "0.7209");
        assert_eq!(number(-1.386_294), "-1.386");
        assert_eq!(number(0.0026), "0.002600");
        assert_eq!(number(2.6e-5), "2.600e-5");
        assert_eq!(number(812.0), "812.0");
        assert_eq!(number(0.0), "0");
        assert_eq!(printed_result("a = 1 = 2.600e-5"), Some((2.6e-5, 0.5e-8)));
        assert_eq!(printed_result("x = -0.7209"), Some((-0.7209, 0.5e-4)));
        assert_eq!(printed_result("no number"), None);
    }

    #[test]
    fn the_readout_matches_the_exact_densities_between_grid_points() {
        let t = trained("fig1", 200);
        let model = t.model();
        let curves = Analysis::new(&model, &AnalysisOptions::default());
        let ideal = IdealView::with_analysis(&model, &curves, 256);
        let peak = curves.p_data.iter().copied().fold(0.0, f64::max);
        let (lo, hi) = (curves.x[0], curves.x[curves.x.len() - 1]);
        // Between grid points, across the range (x_j + 0.37 dx and so on).
        for t in [0.1037, 0.3121, 0.5, 0.6666, 0.9013] {
            let x = lo + t * (hi - lo);
            let r = Readout::at(&curves, &ideal, x);
            let exact = model.target.pdf(x);
            assert!(
                (r.p_data - exact).abs() < 1e-3 * peak,
                "p_data({x}) {} vs {exact}",
                r.p_data
            );
            let by_preimages = density_by_preimages(&model, x, 1 << 15);
            assert!(
                (r.p_g - by_preimages).abs() < 2e-2 * by_preimages.max(0.05),
                "p_g({x}) {} vs {by_preimages}",
                r.p_g
            );
            assert!((r.d_star - r.p_data / (r.p_data + r.p_g)).abs() < 1e-15);
            let d = model.discriminator_probability(&[x]);
            assert!((r.d - d[0]).abs() < 1e-3, "D({x}) {} vs {}", r.d, d[0]);
            for &z in &r.z_preimages {
                let g = model.generate(&[z]);
                assert!((g[0] - x).abs() < 1e-3, "G({z}) = {} is not {x}", g[0]);
            }
        }
    }

    #[test]
    fn preimages_of_a_monotone_and_of_a_folded_g() {
        let z: Vec<f64> = (0..=200).map(|i| -1.0 + 0.01 * f64::from(i)).collect();
        // Monotone: G(z) = 2z + 1, one preimage (x - 1)/2.
        let g: Vec<f64> = z.iter().map(|z| 2.0 * z + 1.0).collect();
        let found = preimages(&z, &g, 0.3);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!((found[0] + 0.35).abs() < 1e-12);
        assert!(preimages(&z, &g, 5.0).is_empty(), "beyond G's range");
        // Folded: G(z) = z^2 - 0.5 has two preimages ±sqrt(x + 0.5), refined between points.
        let g: Vec<f64> = z.iter().map(|z| z * z - 0.5).collect();
        let found = preimages(&z, &g, -0.1234);
        assert_eq!(found.len(), 2, "{found:?}");
        let root = 0.3766_f64.sqrt();
        assert!((found[0] + root).abs() < 1e-4 && (found[1] - root).abs() < 1e-4);
        assert_eq!(preimages(&z, &g, 0.5).len(), 2, "the grid's ends");
    }

    #[test]
    fn each_formula_shows_the_number_it_explains() {
        let t = trained("fig1", 300);
        let model = t.model();
        let a = Analysis::new(&model, &AnalysisOptions::default());
        let m = &a.metrics;
        shows(&c_g_formula(m.jsd), m.c_g);
        let halves = jsd_halves(&a);
        shows(&jsd_formula(m.jsd, Some(halves)), m.jsd);
        shows(&jsd_formula(m.jsd, None), m.jsd);
        let terms = value_terms(&a, model.loss);
        shows(&value_formula(m.value, Some(terms)), m.value);
        shows(&value_formula(m.value, None), m.value);
        shows(&w1_formula(m.w1, Some(w1_parts(&a))), m.w1);
        shows(&mean_formula(m.p_g_mean, m.data_mean), m.p_g_mean);
        shows(&std_formula(m.p_g_std, m.data_std), m.p_g_std);
        shows(&d_star_formula(0.31, 0.12), 0.31 / 0.43);
        shows(&d_star_formula(0.0, 0.0), 0.5);
        let s = t.stats();
        for kind in LossKind::ALL {
            shows(
                &loss_formula(kind, Player::Discriminator, 64, s.d_loss, Some(0.1)),
                s.d_loss,
            );
            shows(
                &loss_formula(kind, Player::Generator, 64, s.g_loss, None),
                s.g_loss,
            );
        }
        shows(
            &grad_norm_formula(Player::Generator, s.g_grad_norm),
            s.g_grad_norm,
        );
        let mut training = t.settings().training.clone();
        training.lr_decay_iters = 2000;
        let lr = training.lr_d * training.lr_factor(300);
        shows(&lr_formula(&training, Player::Discriminator, 300), lr);
        training.lr_decay_iters = 0;
        shows(
            &lr_formula(&training, Player::Generator, 300),
            training.lr_g,
        );
    }

    #[test]
    fn the_value_terms_and_the_jsd_halves_add_up_to_the_analysis() {
        for preset in ["fig1", "vanishing"] {
            let t = trained(preset, 100);
            let model = t.model();
            let a = Analysis::new(&model, &AnalysisOptions::default());
            let (data, generated) = value_terms(&a, model.loss);
            assert!(
                (data + generated - a.metrics.value).abs() < 1e-9,
                "{preset}: {data} + {generated} vs V = {}",
                a.metrics.value
            );
            let (kl_d, kl_g) = jsd_halves(&a);
            assert!((0.5 * (kl_d + kl_g) - a.metrics.jsd).abs() < 1e-9);
            let (gap, width) = w1_parts(&a);
            assert!((gap * width - a.metrics.w1).abs() < 1e-9);
        }
        // Least squares reads D's output itself.
        let mut s = Settings::preset("fig1").expect("preset");
        s.training.loss = LossKind::LeastSquares;
        let mut t = Trainer::new(s).expect("valid");
        t.run(50).expect("finite");
        let a = Analysis::new(&t.model(), &AnalysisOptions::default());
        let (data, generated) = value_terms(&a, LossKind::LeastSquares);
        assert!((data + generated - a.metrics.value).abs() < 1e-9);
    }

    #[test]
    fn evidence_formulas_show_their_evidence() {
        let jsd = Evidence {
            name: "JSD(p_data || p_g)".to_owned(),
            value: 0.0012,
            bound: None,
        };
        let c = Evidence {
            name: "C(G) + log 4".to_owned(),
            value: 0.0024,
            bound: None,
        };
        let gap = Evidence {
            name: "max |D - D*| (central 98 %)".to_owned(),
            value: 0.043,
            bound: None,
        };
        let all = [jsd.clone(), c.clone(), gap.clone()];
        for e in &all {
            shows(&evidence_formula(e, &all), e.value);
        }
        assert!(evidence_formula(&jsd, &all).contains("C(G) = max_D V(D, G) = -log 4 + 2 JSD"));
    }

    #[test]
    fn fired_lines_are_ascii_for_every_condition() {
        let jsd = Fired {
            breakpoint: Breakpoint::JsdBelow(0.01),
            iteration: 812,
            value: 0.0099,
            mode: None,
        };
        assert_eq!(
            fired_line(&jsd),
            "jsd<0.01 held at iteration 812: jsd = 0.0099"
        );
        let lost = crate::sim::ModeMass {
            mean: 2.0,
            std: 0.5,
            weight: 0.5,
            mass: 0.01,
        };
        for (breakpoint, mode) in [
            (Breakpoint::GradGBelow(0.001), None),
            (Breakpoint::DSaturated, None),
            (Breakpoint::Iteration(5), None),
            (Breakpoint::ModeLost, Some((1, lost))),
        ] {
            let line = fired_line(&Fired {
                breakpoint,
                mode,
                ..jsd
            });
            assert!(line.is_ascii(), "{line}");
        }
    }
}
