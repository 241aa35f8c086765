// Atoms of the project's message protocol (CAF 0.17: at most 10 chars).
// CAF's own get/put/delete/ok atoms are used where they fit.
#pragma once

#include <caf/atom.hpp>

namespace lh {

using caf::add_atom;
using caf::delete_atom;
using caf::get_atom;
using caf::ok_atom;
using caf::put_atom;
using list_atom = caf::atom_constant<caf::atom("list")>;
using create_atom = caf::atom_constant<caf::atom("create")>;
using changed_atom = caf::atom_constant<caf::atom("changed")>;
using dropped_atom = caf::atom_constant<caf::atom("dropped")>;
using retry_atom = caf::atom_constant<caf::atom("retry")>;
using load_atom = caf::atom_constant<caf::atom("load")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
using progress_atom = caf::atom_constant<caf::atom("progress")>;
using append_atom = caf::atom_constant<caf::atom("append")>;
using trim_atom = caf::atom_constant<caf::atom("trim")>;
using expect_atom = caf::atom_constant<caf::atom("expect")>;
using drop_atom = caf::atom_constant<caf::atom("drop")>;
using durable_atom = caf::atom_constant<caf::atom("durable")>;
using applied_atom = caf::atom_constant<caf::atom("applied")>;

} // namespace lh
