//! Unit categories at and around τ, re-bucketing, dead channels.

use super::*;

#[test]
fn categories_at_and_around_tau() {
    let t = 0.5;
    let up = 0.5 + 1e-12;
    let down = 0.5 - 1e-12;
    assert_eq!(categorize(Some(up), Some(down), t), Category::Dynamic);
    assert_eq!(categorize(Some(down), Some(up), t), Category::Static);
    assert_eq!(categorize(Some(up), Some(up), t), Category::Joint);
    assert_eq!(categorize(Some(down), Some(down), t), Category::Neither);
    assert_eq!(categorize(Some(t), Some(0.9), t), Category::Unassigned);
    assert_eq!(categorize(Some(0.9), Some(t), t), Category::Unassigned);
    assert_eq!(categorize(None, Some(0.9), t), Category::Unassigned);
    assert_eq!(categorize(Some(0.9), None, t), Category::Unassigned);
}

#[test]
fn recategorize_moves_channels() {
    let mut rng = Rng::new(13);
    let d = Data::random(&mut rng, 300, 8, [0.7, 0.2], 0.0);
    let mut u = d.accumulate(NO_BOOT).estimate(0.5).unwrap().units;
    let before = u.counts;
    u.recategorize(0.99);
    assert_eq!(u.counts.none, 8, "{:?} -> {:?}", before, u.counts);
    u.recategorize(-0.99);
    assert_eq!(u.counts.joint, 8);
}

#[test]
fn dead_channels_are_unassigned() {
    let mut rng = Rng::new(14);
    let mut d = Data::random(&mut rng, 100, 4, [0.5, 0.5], 0.0);
    for r in 0..d.n() {
        // Channel 1 constant everywhere; channel 3 constant on static pairs only.
        d.za[r * d.c + 1] = 0.1;
        d.zb[r * d.c + 1] = 0.1;
        if d.factor[r] == Factor::Static {
            d.za[r * d.c + 3] = -2.0;
            d.zb[r * d.c + 3] = -2.0;
        }
    }
    let e = d.accumulate(NO_BOOT).estimate(0.5).unwrap();
    assert_eq!(e.units.rho[0][1], None);
    assert_eq!(e.units.rho[1][1], None);
    assert!(e.units.rho[0][3].is_some());
    assert_eq!(e.units.rho[1][3], None);
    assert_eq!(e.units.category[1], Category::Unassigned);
    assert_eq!(e.units.category[3], Category::Unassigned);
    assert_eq!(e.units.softmax[3], None);
    assert_eq!(e.units.counts.unassigned, 2);
}
