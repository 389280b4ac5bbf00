//! The enumerated values of the link: one (variant, name) table per enum. A key's choice
//! list ([`Kind::Choice`](super::Kind::Choice)), its parser, its writer and its error
//! message all read the table, so they cannot disagree.
//!
//! The link's own enums ([`Model`], [`FreqKind`]) are declared with their names here; the
//! simulation's enums get their link names on this side ([`Named`]), so `src/sim` knows
//! nothing of links. Where the simulation already names its values (`OptKind`, `Dtype`:
//! `ALL` and `name()`), that is the one table, read here.

use crate::sim::geometry::{GradForm, LossForm, VecKind};
use crate::sim::nn::{Dtype, ParityTask};
use crate::sim::optim::OptKind;

/// A value with a name in links: `opt=adam`, `m=resource`.
pub trait Named: Copy + PartialEq + 'static {
    /// Every value, in the order the choice lists name them.
    const ALL: &'static [Self];
    /// Their names, in the same order.
    const NAMES: &'static [&'static str];

    /// The link name.
    fn name(self) -> &'static str {
        let i = Self::ALL.iter().position(|x| *x == self);
        i.map_or("", |i| Self::NAMES[i])
    }

    /// The value with this link name.
    fn from_name(s: &str) -> Option<Self> {
        let i = Self::NAMES.iter().position(|n| *n == s)?;
        Some(Self::ALL[i])
    }

    /// "a, b, c": the names for a message.
    fn choices() -> String {
        Self::NAMES.join(", ")
    }
}

/// Declares a link enum with its names: the enum, `ALL` (an array), `name()` (const),
/// `from_name()` and [`Named`].
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        pub enum $ty:ident { $( $(#[$vmeta:meta])* $v:ident => $name:literal, )* }
    ) => {
        $(#[$meta])*
        pub enum $ty { $( $(#[$vmeta])* $v, )* }

        impl $ty {
            pub const ALL: [$ty; [$(stringify!($v)),*].len()] = [$($ty::$v),*];

            /// The link name.
            pub const fn name(self) -> &'static str {
                match self { $($ty::$v => $name,)* }
            }

            pub fn from_name(s: &str) -> Option<Self> {
                <Self as Named>::from_name(s)
            }
        }

        impl Named for $ty {
            const ALL: &'static [Self] = &$ty::ALL;
            const NAMES: &'static [&'static str] = &[$($name),*];
            fn name(self) -> &'static str {
                $ty::name(self)
            }
        }
    };
}

/// Link names for an enum of the simulation.
macro_rules! names {
    ($ty:ident { $($v:ident => $name:literal,)* }) => {
        impl Named for $ty {
            const ALL: &'static [Self] = &[$($ty::$v),*];
            const NAMES: &'static [&'static str] = &[$($name),*];
            fn name(self) -> &'static str {
                match self { $($ty::$v => $name,)* }
            }
        }
    };
}

/// [`Named`] for a simulation enum that names itself (`ALL` and a const `name()`).
macro_rules! named_by_sim {
    ($ty:ident) => {
        impl Named for $ty {
            const ALL: &'static [Self] = &$ty::ALL;
            const NAMES: &'static [&'static str] = &{
                let mut out = [""; $ty::ALL.len()];
                let mut i = 0;
                while i < out.len() {
                    out[i] = $ty::ALL[i].name();
                    i += 1;
                }
                out
            };
            fn name(self) -> &'static str {
                $ty::name(self)
            }
        }
    };
}

named_enum! {
    /// Which model runs.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Model {
        Geometry => "geometry",
        Resource => "resource",
        Domino => "domino",
        Parallel => "parallel",
        Quadratic => "quadratic",
        /// Sparse parity in an MLP (Figs. 2, 16).
        Parity => "parity",
        /// Modular addition, SignGD vs Adam (Fig. 13).
        Grokking => "grokking",
        /// x ↦ x² with a modular or a plain MLP (Fig. 19).
        Modular => "modular",
    }
}

impl Model {
    /// A real network (an MLP trained in full batch) rather than a toy model.
    pub fn is_net(self) -> bool {
        matches!(self, Model::Parity | Model::Grokking | Model::Modular)
    }

    /// A title for people.
    pub fn title(self) -> &'static str {
        match self {
            Model::Geometry => "Geometry model",
            Model::Resource => "Resource model",
            Model::Domino => "Domino model",
            Model::Parallel => "Parallel model",
            Model::Quadratic => "Quadratic toy (Fig. 12)",
            Model::Parity => "MLP: sparse parity (Figs. 2, 16)",
            Model::Grokking => "MLP: grokking (Fig. 13)",
            Model::Modular => "MLP: modularity (Fig. 19)",
        }
    }
}

named_enum! {
    /// How frequencies are chosen (`freq=`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum FreqKind {
        Zipf => "zipf",
        Exp => "exp",
        Two => "two",
        List => "list",
    }
}

names!(LossForm {
    Mse => "mse",
    Ce => "ce",
});

names!(GradForm {
    Mimic => "mimic",
    Autograd => "autograd",
});

names!(VecKind {
    Ortho => "ortho",
    Unit => "unit",
    Scaled => "scaled",
    Basis => "basis",
});

names!(ParityTask {
    Frequency => "frequency",
    Compositional => "compositional",
    Independent => "independent",
});

named_by_sim!(OptKind);
named_by_sim!(Dtype);

#[cfg(test)]
mod tests {
    use super::*;

    fn check<T: Named + std::fmt::Debug>() {
        assert_eq!(T::ALL.len(), T::NAMES.len());
        for (x, n) in T::ALL.iter().zip(T::NAMES) {
            assert_eq!(x.name(), *n);
            assert_eq!(T::from_name(n), Some(*x));
        }
        assert_eq!(T::from_name("nope"), None);
    }

    #[test]
    fn every_table_names_each_value_once_and_reads_it_back() {
        check::<Model>();
        check::<FreqKind>();
        check::<LossForm>();
        check::<GradForm>();
        check::<VecKind>();
        check::<ParityTask>();
        check::<OptKind>();
        check::<Dtype>();
        assert_eq!(
            OptKind::choices(),
            "sgd, signgd, adam, adamw, lion, ademamix"
        );
        assert_eq!(Dtype::choices(), "f32, f64");
    }
}
