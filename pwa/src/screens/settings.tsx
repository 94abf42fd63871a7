// Placeholder: replaced by the screen's real implementation.
import type { JSX } from "preact";
import type { ScreenProps } from "../app/routes";

export function SettingsScreen(_props: ScreenProps): JSX.Element {
  return <p>SettingsScreen</p>;
}
