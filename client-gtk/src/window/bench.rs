//! Scroll benchmark for the automation hook: scrolls the account list one step per frame and
//! records the time between frames, to show that 10,000 accounts scroll smoothly.

use super::Window;
use adw::subclass::prelude::*;
use gtk::glib;
use gtk::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;

impl Window {
    /// Scrolls down by a quarter page per frame for `frames` frames, then calls `done` with
    /// the intervals between frames in milliseconds.
    pub fn bench_scroll(&self, frames: usize, done: impl FnOnce(Vec<f64>) + 'static) {
        let adj = self.imp().scroller.vadjustment();
        let times = Rc::new(RefCell::new(Vec::with_capacity(frames + 1)));
        let done = RefCell::new(Some(done));
        self.imp().list_view.add_tick_callback(move |_, clock| {
            let mut t = times.borrow_mut();
            t.push(clock.frame_time());
            let step = adj.page_size() / 4.0;
            let next = adj.value() + step;
            if next + adj.page_size() >= adj.upper() {
                adj.set_value(0.0);
            } else {
                adj.set_value(next);
            }
            if t.len() <= frames {
                return glib::ControlFlow::Continue;
            }
            let intervals = t
                .windows(2)
                .map(|w| (w[1] - w[0]) as f64 / 1000.0)
                .collect();
            if let Some(f) = done.borrow_mut().take() {
                f(intervals);
            }
            glib::ControlFlow::Break
        });
    }
}
