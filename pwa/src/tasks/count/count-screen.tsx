// Placeholder: replaced by the screen's real implementation.
import type { JSX } from "preact";
import type { ScreenProps } from "../../app/routes";

export function CountScreen(_props: ScreenProps): JSX.Element {
  return <p>CountScreen</p>;
}
