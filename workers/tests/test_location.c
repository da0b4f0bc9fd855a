/*
 * Unit tests for adapters/location.c: location and employment types.
 */

#include <stddef.h>

#include "normalize.h"
#include "tap.h"

static void
test_location_type(void)
{
    is_str(js_location_type(NULL, "Remote - Kenya", NULL), "remote",
           "Remote - Kenya");
    is_str(js_location_type(NULL, "Hybrid (Nairobi)", NULL), "hybrid",
           "Hybrid (Nairobi)");
    is_str(js_location_type(NULL, "Anywhere", NULL), "remote", "Anywhere");
    is_str(js_location_type(NULL, "Nairobi", "Backend Engineer (WFH)"),
           "remote", "WFH in the title");
    is_str(js_location_type(NULL, "On-site, Lagos", NULL), "onsite",
           "On-site");
    is_str(js_location_type(NULL, "Nairobi, Kenya", "Engineer"), NULL,
           "a city alone says nothing");
    is_str(js_location_type(NULL, "Remote or hybrid, Berlin", NULL),
           "hybrid", "hybrid wins over remote");
    is_str(js_location_type(NULL, "Kampala (not remote)", NULL), "onsite",
           "not remote");
    is_str(js_location_type("TELECOMMUTE", "Nairobi", NULL), "remote",
           "schema.org TELECOMMUTE");
    is_str(js_location_type("OnSite", "Remote", NULL), "onsite",
           "the provider's flag wins");
    is_str(js_location_type("unspecified", "Remote, US", NULL), "remote",
           "unspecified flag ignored");
    is_str(js_location_type(NULL, "Remotely", "Office Manager"), "remote",
           "office in a title is no marker");
    is_str(js_location_type(NULL, "Premote", NULL), NULL, "word-wise");
}

static void
test_employment_type(void)
{
    is_str(js_employment_type("Full-time"), "full_time", "Full-time");
    is_str(js_employment_type("FULL_TIME"), "full_time", "FULL_TIME");
    is_str(js_employment_type("FullTime"), "full_time", "FullTime");
    is_str(js_employment_type("Permanent"), "full_time", "Permanent");
    is_str(js_employment_type("PartTime"), "part_time", "PartTime");
    is_str(js_employment_type("CONTRACTOR"), "contract", "CONTRACTOR");
    is_str(js_employment_type("freelance"), "contract", "freelance");
    is_str(js_employment_type("Full-time, 6 month contract"), "contract",
           "a full-time contract is a contract");
    is_str(js_employment_type("Intern"), "internship", "Intern");
    is_str(js_employment_type("International"), NULL, "not an intern");
    is_str(js_employment_type("TEMPORARY"), "temporary", "TEMPORARY");
    is_str(js_employment_type("VOLUNTEER"), NULL, "unknown");
    is_str(js_employment_type(NULL), NULL, "NULL");
}

int
main(void)
{
    test_location_type();
    test_employment_type();
    return done_testing();
}
