//! Every built-in lesson loads and reaches each step's condition within its budget on
//! seeds 1 to 3 (headless); malformed lessons are refused naming the step and the key.

use ganscope::sim::lesson::{BUILT_IN, Lesson, LessonRun, Outcome};

/// Plays `name` on `seed`; returns a line per step that missed, and the step outcomes.
fn play(name: &str, seed: u64) -> (Vec<String>, Vec<Outcome>) {
    let lesson = Lesson::named(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut run = LessonRun::new(lesson, Some(seed)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut missed = Vec::new();
    let mut outcomes = Vec::new();
    while let Some(report) = run.next_step() {
        let report = report.unwrap_or_else(|e| panic!("{name}: {e}"));
        if !report.outcome.reached() {
            missed.push(format!(
                "{name} seed {seed} step {}: {} after {} units ({})",
                report.index, report.outcome, report.units, report.numbers
            ));
        }
        outcomes.push(report.outcome);
    }
    (missed, outcomes)
}

#[test]
fn every_built_in_lesson_reaches_each_step_on_seeds_1_to_3() {
    let jobs: Vec<(&str, u64)> = BUILT_IN
        .iter()
        .flat_map(|(name, _)| (1..=3).map(move |seed| (*name, seed)))
        .collect();
    let results: Vec<(String, u64, Vec<String>, Vec<Outcome>)> = std::thread::scope(|s| {
        let halves: Vec<_> = [0, 1]
            .iter()
            .map(|&h| {
                let mine: Vec<(&str, u64)> = jobs.iter().copied().skip(h).step_by(2).collect();
                s.spawn(move || {
                    mine.into_iter()
                        .map(|(n, seed)| {
                            let (missed, outcomes) = play(n, seed);
                            (n.to_owned(), seed, missed, outcomes)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        halves
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|_| panic!("a lesson thread panicked"))
            })
            .collect()
    });
    let missed: Vec<String> = results.iter().flat_map(|r| r.2.clone()).collect();
    assert!(
        missed.is_empty(),
        "steps that missed:\n{}",
        missed.join("\n")
    );
    // WGAN-GP keeps both modes: its steps end on their counts, never on mode-lost.
    for (name, seed, _, outcomes) in &results {
        if name == "wgan-gp" {
            for o in outcomes {
                assert!(
                    matches!(o, Outcome::Reached(w) if w.starts_with("steps=")),
                    "wgan-gp seed {seed}: {o}"
                );
            }
        }
    }
}

/// A valid lesson to break one key of.
const GOOD: &str = r#"
title = "A test lesson"
summary = "Two steps."
preset = "fig1"

[[step]]
title = "Warm up"
caption = "Algorithm 1 runs."
until = "steps=5"

[[step]]
title = "D learns alone"
caption = "D alone."
train = "d-only"
until = "steps=10"
"#;

/// `GOOD` with `old` replaced by `new` in step 2 (or anywhere for the lesson's own keys).
fn broken(old: &str, new: &str) -> String {
    let at = GOOD
        .rfind(old)
        .unwrap_or_else(|| panic!("{old} not in the lesson"));
    format!("{}{new}{}", &GOOD[..at], &GOOD[at + old.len()..])
}

fn refusal(text: &str) -> String {
    match Lesson::parse("test", text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_good_lesson_loads() {
    let lesson = Lesson::parse("test", GOOD).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(lesson.steps.len(), 2);
    let mut run = LessonRun::new(lesson, Some(1)).unwrap_or_else(|e| panic!("{e}"));
    let first = run
        .next_step()
        .unwrap_or_else(|| panic!("no step"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(first.outcome.reached() && first.units == 5, "{first:?}");
    let second = run
        .next_step()
        .unwrap_or_else(|| panic!("no step"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (second.units, second.numbers.iteration),
        (10, 5),
        "D alone leaves the iteration count"
    );
    assert!(run.next_step().is_none());
    // Back to step 2's start: the same state, played again, gives the same numbers.
    let again = run
        .replay(1)
        .unwrap_or_else(|| panic!("no step"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.numbers, second.numbers);
}

#[test]
fn malformed_lessons_are_refused_naming_the_step_and_the_key() {
    let step2 = "lesson step 2 (\"D learns alone\")";
    let cases: [(String, &str, &str); 9] = [
        (
            broken(
                "until = \"steps=10\"",
                "until = \"steps=10\"\npaec = \"fast\"",
            ),
            "key `paec`",
            "accepted: title, caption",
        ),
        (
            broken("until = \"steps=10\"", "until = \"soon\""),
            "key `until`",
            "accepted: steps=N",
        ),
        (
            broken("until = \"steps=10\"", "until = \"jsd<2\""),
            "key `until`",
            "ε = '2'",
        ),
        (
            broken("until = \"steps=10\"", "until = \"mode-lost\""),
            "key `until`",
            "mixture",
        ),
        (
            broken("train = \"d-only\"", "train = \"d-alone\""),
            "key `train`",
            "both, d-only, g-only",
        ),
        (
            broken(
                "until = \"steps=10\"",
                "until = \"steps=10\"\nset = { \"training.k\" = 0 }",
            ),
            "key `set.\"training.k\"`",
            "training.k",
        ),
        (
            broken(
                "until = \"steps=10\"",
                "until = \"steps=10\"\nshow = [\"sparkles\"]",
            ),
            "key `show`",
            "d-star",
        ),
        (
            broken("until = \"steps=10\"", "until = \"steps=10\"\nbudget = 0"),
            "key `budget`",
            "from 1 to",
        ),
        (
            broken(
                "until = \"steps=10\"",
                "until = \"steps=10\"\nset = { \"target.kind\" = \"mixture\" }",
            ),
            "key `set.\"target.kind\"`",
            "live training settings",
        ),
    ];
    for (text, key, accepted) in &cases {
        let e = refusal(text);
        assert!(e.starts_with(step2), "{e}");
        assert!(e.contains(key), "expected {key}: {e}");
        assert!(e.contains(accepted), "expected {accepted:?}: {e}");
    }
    // The lesson's own keys, and the step itself.
    let e = refusal(&broken("preset = \"fig1\"", "preset = \"fig2\""));
    assert!(
        e.starts_with("lesson, key `preset`") && e.contains("fig1"),
        "{e}"
    );
    let e = refusal(&broken("title = \"A test lesson\"\n", ""));
    assert!(e.contains("key `title`") && e.contains("missing"), "{e}");
    let e = refusal(&broken(
        "title = \"Warm up\"",
        "title = \"Warm up\"\ncompare = \"nope\"",
    ));
    assert!(
        e.contains("lesson step 1 (\"Warm up\"), key `compare`") && e.contains("saturation"),
        "{e}"
    );
    let e =
        refusal("title = \"x\"\nsummary = \"y\"\n[[step]]\ntitle = \"only\"\ncaption = \"c\"\n");
    assert!(
        e.contains("lesson step 1 (\"only\"), key `until`") && e.contains("missing"),
        "{e}"
    );
    let e = refusal("title = \"x\"\nsummary = \"y\"\n");
    assert!(e.contains("key `step`"), "{e}");
    let e = refusal("title = \"x\n");
    assert!(e.contains("not TOML"), "{e}");
}

#[test]
fn every_preset_with_a_lesson_names_a_built_in_one() {
    let mut named = 0;
    for preset in &ganscope::sim::settings::Preset::ALL {
        if let Some((_, name)) = preset.lesson.rsplit_once("Lesson: ") {
            assert!(
                Lesson::named(name.trim()).is_ok(),
                "{}: {name}",
                preset.name
            );
            named += 1;
        }
    }
    assert!(named >= 6, "{named} presets point to a lesson");
}
