//! An event-time reorder buffer built on [`HeapQueue`].

use crate::queue::{HeapQueue, PriorityQueue};
use std::cmp::Reverse;

/// An event that arrived with a timestamp at or behind the watermark, handed back to the caller
/// (who may count, log or deduplicate it) instead of being released out of order.
///
/// ```
/// use counterfact_stream::{LateEvent, ReorderBuffer};
/// let mut buffer = ReorderBuffer::new();
/// buffer.advance_watermark(10);
/// let late = buffer.push(7, "retry").unwrap_err();
/// assert_eq!(late, LateEvent { timestamp: 7, event: "retry", watermark: 10 });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateEvent<Ts, T> {
    /// The event's timestamp.
    pub timestamp: Ts,
    /// The event itself.
    pub event: T,
    /// The watermark it fell behind.
    pub watermark: Ts,
}

/// Accepts out-of-order events and releases them in timestamp order, arrival order for equal
/// timestamps, up to a watermark (the low-watermark model of Akidau et al., "The Dataflow
/// Model", VLDB 2015). A min-queue on timestamps with FIFO ties ([`HeapQueue`] keyed by
/// `Reverse(timestamp)`) gives O(log n) per event.
///
/// The watermark only moves forward: [`ReorderBuffer::advance_watermark`]`(w)` releases every
/// buffered event with timestamp ≤ `w`, and afterwards an event with timestamp ≤ `w` is late
/// and handed back by [`ReorderBuffer::push`] as a [`LateEvent`].
///
/// ```
/// use counterfact_stream::ReorderBuffer;
/// let mut buffer = ReorderBuffer::new();
/// buffer.push(5, "e5").unwrap();
/// buffer.push(3, "e3").unwrap();
/// buffer.push(3, "e3-later").unwrap();
/// buffer.push(9, "e9").unwrap();
/// assert_eq!(buffer.advance_watermark(5), vec![(3, "e3"), (3, "e3-later"), (5, "e5")]);
/// assert!(buffer.push(4, "late").is_err());
/// assert_eq!(buffer.flush(), vec![(9, "e9")]);
/// ```
pub struct ReorderBuffer<Ts, T> {
    queue: HeapQueue<(Ts, T), Reverse<Ts>>,
    watermark: Option<Ts>,
}

impl<Ts: Ord + Clone, T> ReorderBuffer<Ts, T> {
    /// An empty buffer with no watermark yet (nothing is late).
    pub fn new() -> Self {
        ReorderBuffer {
            queue: HeapQueue::new(),
            watermark: None,
        }
    }

    /// Buffers `event`; hands it back as a [`LateEvent`] when `timestamp` is at or behind the
    /// watermark (an event for that time has already been released).
    pub fn push(&mut self, timestamp: Ts, event: T) -> Result<(), LateEvent<Ts, T>> {
        if let Some(watermark) = &self.watermark
            && timestamp <= *watermark
        {
            return Err(LateEvent {
                timestamp,
                event,
                watermark: watermark.clone(),
            });
        }
        self.queue
            .insert((timestamp.clone(), event), Reverse(timestamp));
        Ok(())
    }

    /// Moves the watermark to `watermark` (never backwards) and releases, in (timestamp,
    /// arrival) order, every buffered event with timestamp ≤ the watermark.
    pub fn advance_watermark(&mut self, watermark: Ts) -> Vec<(Ts, T)> {
        let watermark = match self.watermark.take() {
            Some(current) if current > watermark => current,
            _ => watermark,
        };
        let mut released = Vec::new();
        while self
            .queue
            .peek_entry()
            .is_some_and(|(_, Reverse(ts))| *ts <= watermark)
        {
            if let Some((entry, _)) = self.queue.delete_entry() {
                released.push(entry);
            }
        }
        self.watermark = Some(watermark);
        released
    }

    /// Releases everything buffered (end of stream) in (timestamp, arrival) order and moves the
    /// watermark to the greatest timestamp released.
    pub fn flush(&mut self) -> Vec<(Ts, T)> {
        let mut released = Vec::with_capacity(self.queue.len());
        while let Some((entry, _)) = self.queue.delete_entry() {
            released.push(entry);
        }
        if let Some((ts, _)) = released.last() {
            let ts = ts.clone();
            self.advance_watermark(ts);
        }
        released
    }

    /// The current watermark; `None` before the first advance.
    pub fn watermark(&self) -> Option<&Ts> {
        self.watermark.as_ref()
    }

    /// The earliest buffered timestamp; `None` when empty.
    pub fn next_timestamp(&self) -> Option<&Ts> {
        self.queue.peek_entry().map(|(_, Reverse(ts))| ts)
    }

    /// Number of buffered events.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether no event is buffered.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }
}

impl<Ts: Ord + Clone, T> Default for ReorderBuffer<Ts, T> {
    fn default() -> Self {
        Self::new()
    }
}
