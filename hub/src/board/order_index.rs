//! The board's orders, indexed so that a call costs the same with thousands of orders open as
//! with none: when each order next needs the board (its alarm, or its counting done), the
//! clear-room and taxi orders apart (the few that rooms and departures ask about), and the done
//! orders by when they were done (for the day's pruning). Kept in step with `Board::orders` at
//! its one place of change, rebuilt after a prune or a checkpoint's load; never saved.

use std::collections::{BTreeSet, HashMap};

use protocol::order::{Order, OrderId, OrderKind};

#[derive(Clone, Debug, Default)]
pub(super) struct OrderIndex {
    /// (when, order) for every order that has something due.
    due: BTreeSet<(u64, OrderId)>,
    due_of: HashMap<OrderId, u64>,
    /// (done at, order) for every done order.
    done: BTreeSet<(u64, OrderId)>,
    done_of: HashMap<OrderId, u64>,
    clear_rooms: BTreeSet<OrderId>,
    taxis: BTreeSet<OrderId>,
}

impl OrderIndex {
    /// Files `order` (new or changed) with what it has due next (`None`: nothing).
    pub(super) fn set(&mut self, order: &Order, due: Option<u64>) {
        let id = order.id;
        if let Some(old) = self.due_of.remove(&id) {
            self.due.remove(&(old, id));
        }
        if let Some(t) = due {
            self.due.insert((t, id));
            self.due_of.insert(id, t);
        }
        if let Some(old) = self.done_of.remove(&id) {
            self.done.remove(&(old, id));
        }
        if let Some(t) = order.done_at {
            self.done.insert((t, id));
            self.done_of.insert(id, t);
        }
        match order.kind {
            OrderKind::ClearRoom => {
                self.clear_rooms.insert(id);
            }
            OrderKind::Taxi => {
                self.taxis.insert(id);
            }
            _ => {}
        }
    }

    /// What order `id` has due next, as filed.
    #[cfg(test)]
    pub(super) fn due_of(&self, id: OrderId) -> Option<u64> {
        self.due_of.get(&id).copied()
    }

    /// The earliest time any order has something due.
    pub(super) fn first_due(&self) -> Option<u64> {
        self.due.first().map(|(t, _)| *t)
    }

    /// The orders with something due at or before `now`, earliest first.
    pub(super) fn due_by(&self, now: u64) -> impl Iterator<Item = OrderId> + '_ {
        self.due
            .iter()
            .take_while(move |(t, _)| *t <= now)
            .map(|(_, id)| *id)
    }

    /// When the earliest done order was done.
    pub(super) fn first_done(&self) -> Option<u64> {
        self.done.first().map(|(t, _)| *t)
    }

    /// The clear-room orders, oldest first.
    pub(super) fn clear_rooms(&self) -> impl DoubleEndedIterator<Item = OrderId> + '_ {
        self.clear_rooms.iter().copied()
    }

    /// The taxi orders, oldest first.
    pub(super) fn taxis(&self) -> impl DoubleEndedIterator<Item = OrderId> + '_ {
        self.taxis.iter().copied()
    }
}
