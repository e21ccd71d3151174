// The shared pieces (groundwork's web kit), with the dashboard's own code for its failures.

import { problemOf as problemWithCode } from "@groundwork/web/ui";
import type { Problem } from "./api";

export { Badge, ConfirmDialog, ProblemBox, Section, type Confirmation } from "@groundwork/web/ui";

export const problemOf = (error: unknown): Problem => problemWithCode(error, "PRISM_DASHBOARD_ERROR");
