//! The timeline: its bounds over a long run, and a branch from a recorded moment that is
//! bit for bit the run that never stopped (in the sim and through the worker).

use ganscope::app::worker::{Command, Worker};
use ganscope::sim::settings::Settings;
use ganscope::sim::timeline::{MAX_BYTES, MAX_MOMENTS, Timeline};
use ganscope::sim::trainer::Trainer;

fn fig1() -> Settings {
    Settings::preset("fig1").expect("fig1 exists")
}

/// Every parameter of G and D as bits, so equality is exact.
fn bits(trainer: &Trainer) -> Vec<u32> {
    trainer
        .generator()
        .params()
        .iter()
        .chain(trainer.discriminator().params())
        .map(|p| p.to_bits())
        .collect()
}

#[test]
fn the_bounds_hold_over_a_long_run_and_thinning_keeps_the_first_and_the_latest() {
    // Small networks, so many iterations run fast; the record's rule does not depend on
    // their size.
    let mut settings = fig1();
    settings.generator.width = 4;
    settings.discriminator.width = 4;
    settings.training.batch_size = 8;
    let mut trainer = Trainer::new(settings).expect("valid");
    let mut timeline = Timeline::new();
    let chunk = 16;
    let mut most = 0;
    timeline.record(&trainer);
    for _ in 0..1_500 {
        trainer.run(chunk).expect("trains");
        timeline.record(&trainer);
        most = most.max(timeline.len());
        assert!(timeline.bytes() <= MAX_BYTES);
    }
    let now = trainer.counters().iteration;
    assert_eq!(now, 24_000);
    assert!(most <= MAX_MOMENTS, "held {most}");
    assert!(
        timeline.spacing() >= 16,
        "thinned: spacing {}",
        timeline.spacing()
    );
    let its = timeline.iterations();
    assert_eq!(its.first(), Some(&0), "the first moment is kept");
    let latest = *its.last().expect("moments");
    assert!(now - latest <= chunk, "latest {latest}, now {now}");
    // Evenly spaced: no gap wider than two spacings (plus a chunk's slack).
    for pair in its.windows(2) {
        assert!(pair[1] > pair[0]);
        assert!(
            pair[1] - pair[0] <= 2 * timeline.spacing() + chunk,
            "{pair:?}"
        );
    }
    assert!(timeline.len() > MAX_MOMENTS / 4, "kept {}", timeline.len());
}

#[test]
fn a_branch_from_a_moment_is_the_uninterrupted_run_bit_for_bit() {
    let mut trainer = Trainer::new(fig1()).expect("valid");
    let mut timeline = Timeline::new();
    timeline.record(&trainer);
    for _ in 0..20 {
        trainer.run(16).expect("trains");
        timeline.record(&trainer);
    }
    let j = timeline.nearest(100).expect("moments");
    let moment = timeline.moment(j).expect("moment j");
    assert_eq!(moment.iteration, 96);
    let mut branch = Trainer::from_snapshot(&moment.snapshot).expect("restores");
    branch.run(320 - 96).expect("trains");
    assert_eq!(branch.counters(), trainer.counters());
    assert_eq!(bits(&branch), bits(&trainer));
    // Optimisers, random state, statistics: the whole state is the same.
    assert_eq!(branch.snapshot(), trainer.snapshot());
    // And a run that was never recorded at all.
    let mut plain = Trainer::new(fig1()).expect("valid");
    plain.run(320).expect("trains");
    assert_eq!(bits(&plain), bits(&trainer));
    // The random stream goes on the same: the next minibatch gives the same losses.
    branch.iteration().expect("trains");
    plain.iteration().expect("trains");
    assert_eq!(
        branch.stats().d_loss.to_bits(),
        plain.stats().d_loss.to_bits()
    );
    assert_eq!(
        branch.stats().g_loss.to_bits(),
        plain.stats().g_loss.to_bits()
    );
}

fn steps(w: &mut Worker, n: usize) {
    for _ in 0..n {
        w.handle(Command::StepIteration);
    }
}

#[test]
fn the_worker_shows_a_moment_while_the_run_waits_and_branches_from_it_exactly() {
    let mut w = Worker::new(fig1()).expect("valid");
    steps(&mut w, 40);
    let live = w.publish();
    assert_eq!(
        live.timeline.iterations.len(),
        41,
        "one moment an iteration"
    );
    assert_eq!(live.timeline.scrub, None);
    let at_ten = {
        let mut other = Worker::new(fig1()).expect("valid");
        steps(&mut other, 10);
        other.publish()
    };
    w.handle(Command::Scrub(Some(10)));
    let shown = w.publish();
    assert_eq!(shown.timeline.scrub, Some(10));
    assert_eq!(shown.counters.iteration, 10);
    assert_eq!(shown.timeline.live_iteration, 40);
    assert_eq!(shown.analysis.metrics, at_ten.analysis.metrics);
    // The arrows x = G(z) of that moment (the x range may differ: it follows the live run).
    assert_eq!(shown.analysis.arrows, at_ten.analysis.arrows);
    // The metric record is the live run's: showing a moment adds no row to it.
    assert_eq!(shown.history.rows().len(), live.history.rows().len());
    assert_eq!(shown.history.last_place(), live.history.last_place());
    // A bad position is refused with the range.
    w.handle(Command::Scrub(Some(99)));
    let refused = w.publish();
    assert!(
        refused
            .error
            .as_deref()
            .is_some_and(|e| e.contains("0 to 40"))
    );
    // The onion skin: p_g at earlier moments, on the figure's grid.
    w.handle(Command::Scrub(Some(10)));
    w.handle(Command::SetOnionSkin(true));
    let onion = w.publish();
    let earlier: Vec<u64> = onion.timeline.onion.iter().map(|o| o.iteration).collect();
    assert_eq!(earlier, vec![9, 8, 7, 6]);
    assert!(
        onion
            .timeline
            .onion
            .iter()
            .all(|o| o.p_g.len() == onion.curves.x.len())
    );
    w.handle(Command::ContinueFromScrub);
    let branched = w.publish();
    assert_eq!(branched.counters.iteration, 10);
    assert_eq!(branched.timeline.scrub, None);
    assert_eq!(
        branched.timeline.iterations.len(),
        11,
        "the later moments dropped"
    );
    assert!(
        branched
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("Branched at iteration 10"))
    );
    assert!(
        branched
            .history
            .places()
            .iter()
            .all(|p| p.counters.iteration <= 10),
        "the metric record is cut back to the branch"
    );
    // Going on from the branch is the run that never went past 10.
    steps(&mut w, 30);
    let mut uninterrupted = Worker::new(fig1()).expect("valid");
    steps(&mut uninterrupted, 40);
    assert_eq!(
        w.publish().analysis.metrics,
        uninterrupted.publish().analysis.metrics
    );
}

#[test]
fn play_from_a_moment_shown_goes_on_from_the_live_end_and_says_so() {
    let mut w = Worker::new(fig1()).expect("valid");
    steps(&mut w, 5);
    w.handle(Command::Scrub(Some(2)));
    w.handle(Command::SetPlaying(true));
    let p = w.publish();
    assert_eq!(p.timeline.scrub, None);
    assert_eq!(p.counters.iteration, 5);
    assert!(p.playing);
    assert!(p.notice.as_deref().is_some_and(|n| n.contains("live end")));
    // Continue with nothing shown is refused and says what to do.
    w.handle(Command::SetPlaying(false));
    w.handle(Command::ContinueFromScrub);
    assert!(
        w.publish()
            .error
            .as_deref()
            .is_some_and(|e| e.contains("pick one"))
    );
}

fn ganscope(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_ganscope"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn train_branch_at_continues_from_the_state_and_changes_only_what_it_is_told() {
    let base = [
        "train", "--iters", "300", "--every", "100", "--format", "csv",
    ];
    let plain = ganscope(&base);
    assert!(plain.status.success(), "{}", text(&plain.stderr));
    let same = ganscope(&[&base[..], &["--branch-at", "150"]].concat());
    assert!(same.status.success(), "{}", text(&same.stderr));
    assert_eq!(
        text(&same.stdout),
        text(&plain.stdout),
        "a branch changing nothing is the run"
    );
    assert!(text(&same.stderr).contains("branched at iteration 150: nothing changed"));
    let k3 = ganscope(
        &[
            &base[..],
            &["--branch-at", "150", "--branch-set", "training.k=3"],
        ]
        .concat(),
    );
    assert!(k3.status.success(), "{}", text(&k3.stderr));
    assert!(
        text(&k3.stderr).contains("training.k 1 -> 3"),
        "{}",
        text(&k3.stderr)
    );
    let (a, b) = (text(&plain.stdout), text(&k3.stdout));
    let rows = |s: &str| s.lines().map(str::to_owned).collect::<Vec<_>>();
    let (a, b) = (rows(&a), rows(&b));
    assert_eq!(a.len(), 5, "header and 4 rows");
    assert_eq!(b.len(), a.len(), "the same columns and rows");
    assert_eq!(a[..3], b[..3], "up to the branch the run is the same");
    assert_ne!(a[3], b[3], "after it, k = 3 trains otherwise");
    // Refused before any work, naming the flag and what it accepts.
    let late = ganscope(&[&base[..], &["--branch-at", "500"]].concat());
    assert_eq!(late.status.code(), Some(2));
    assert!(text(&late.stderr).contains("--branch-at 500: must be at most --iters (300)"));
    let reset = ganscope(
        &[
            &base[..],
            &["--branch-at", "10", "--branch-set", "generator.width=8"],
        ]
        .concat(),
    );
    assert_eq!(reset.status.code(), Some(2));
    assert!(text(&reset.stderr).contains("only training.* settings"));
    let bad = ganscope(
        &[
            &base[..],
            &["--branch-at", "10", "--branch-set", "training.k=0"],
        ]
        .concat(),
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("training.k"),
        "{}",
        text(&bad.stderr)
    );
    assert!(bad.stdout.is_empty());
}
