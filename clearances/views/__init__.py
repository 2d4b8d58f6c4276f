"""The clearance pages, one module per audience: `case` (one case's page and the acts done from it), `lists` (the
applicant's cases and filing, an officer's queue, the facilitation desk's board, the regulator's view), `public`
(the statistics, documents); `common` what they share."""
