#pragma once
// The tables and reports of the cluster verbs, from the API's JSON (docs/scheduler-api.md).

#include <boost/json/value.hpp>
#include <ostream>

namespace deckhand::ctl {

// UNIT MACHINE ACTIVE SUB, one line per unit and machine; units waiting show "-".
void printUnits(std::ostream& out, const boost::json::value& units,
                const boost::json::value& machines);
// UNIT HASH DSTATE STATE TARGET.
void printUnitFiles(std::ostream& out, const boost::json::value& units,
                    const boost::json::value& templates, const boost::json::value& machines);
// MACHINE IP METADATA.
void printMachines(std::ostream& out, const boost::json::value& machines);
// A unit: its target, where it is and why, its state on each machine, why it waits.
void printStatus(std::ostream& out, const boost::json::value& unit,
                 const boost::json::value& machines);
void printJournal(std::ostream& out, const boost::json::value& journal);
// One journal line {"usec", "priority", "message"}: "Nov 28 21:03:04 message".
void printJournalLine(std::ostream& out, const boost::json::object& line);

}  // namespace deckhand::ctl
