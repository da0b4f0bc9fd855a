/*
 * Unit tests for adapters/location.c: location and employment types.
 */

#include <stddef.h>
#include <stdio.h>

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
    is_str(js_location_type(NULL, "Remote\xE2\x80\x93" "EU", NULL), "remote",
           "an en dash parts words");
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
    is_str(js_employment_type("Full\xE2\x80\x91time"), "full_time",
           "a non-breaking hyphen");
    is_str(js_employment_type("Short\xC2\xA0Term"), "temporary",
           "a no-break space");
}

/* Lever's commitment is free text: the spellings boards use. */
static void
test_lever_commitments(void)
{
    static const struct {
        const char  *commitment;
        const char  *type;
    }  c[] = {
        { "Full Time", "full_time" }, { "Full-time", "full_time" },
        { "Full-Time", "full_time" }, { "Fulltime", "full_time" },
        { "Full time employee", "full_time" },
        { "Full-time Permanent", "full_time" },
        { "Permanent", "full_time" }, { "Regular", "full_time" },
        { "Part Time", "part_time" }, { "Part-time", "part_time" },
        { "Part-time Contractor", "part_time" },
        { "Working Student", "part_time" }, { "Werkstudent", "part_time" },
        { "Intern", "internship" }, { "Internship", "internship" },
        { "Summer Internship", "internship" },
        { "Apprenticeship", "internship" }, { "Co-op", "internship" },
        { "Contract", "contract" }, { "Contractor", "contract" },
        { "Contract to Hire", "contract" },
        { "Contract-to-hire", "contract" }, { "Freelance", "contract" },
        { "Fixed Term", "contract" }, { "Fixed-term", "contract" },
        { "Consultant", "contract" },
        { "Temporary", "temporary" }, { "Temp", "temporary" },
        { "Short Term", "temporary" }, { "Short-term", "temporary" },
        { "Short Term Contract", "temporary" },
        { "Casual", "temporary" }, { "Seasonal", "temporary" },
        { "Interim", "temporary" },
        { "Volunteer", NULL }, { "Other", NULL }, { "", NULL },
    };
    size_t  i;
    char    name[80];

    for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        snprintf(name, sizeof(name), "Lever \"%s\"", c[i].commitment);
        is_str(js_employment_type(c[i].commitment), c[i].type, name);
    }
    is_str(js_employment_type(NULL), NULL, "NULL");
}

int
main(void)
{
    test_location_type();
    test_employment_type();
    test_lever_commitments();
    return done_testing();
}
