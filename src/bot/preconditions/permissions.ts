import { PermissionFlagsBits } from 'discord.js';
import { type Asked, PASSED, type Precondition, refused } from './precondition.js';

/**
 * A permission the member must hold, declared by a command as `requiredPermissions` (Sapphire's
 * `requiredUserPermissions`). `default_member_permissions` only hides a command, and a server can
 * override it per role or channel, so the bot checks as well.
 */
export interface RequiredPermissions {
  readonly permission: keyof typeof PermissionFlagsBits;
  /** Completes the refusal "Only members with the Manage Server permission can …". */
  readonly toDo: string;
  /** Only these subcommands need it (`/scope show` is for everyone); every use when absent. */
  readonly subcommands?: readonly string[];
}

/** The names Discord shows people, where they differ from the flag's. */
const shownNames: Partial<Record<keyof typeof PermissionFlagsBits, string>> = { ManageGuild: 'Manage Server' };

/** What a member without the permission is told. */
export function refusalWithout(required: RequiredPermissions): string {
  return `Only members with the ${shownNames[required.permission] ?? required.permission} permission can ${required.toDo}.`;
}

/** The refusal for a member without the permission, or null. Also used by components a command opens (a select menu). */
export function permissionRefusal(required: RequiredPermissions, permissions: Asked['permissions']): string | null {
  return permissions?.has(PermissionFlagsBits[required.permission]) ? null : refusalWithout(required);
}

export const memberPermissions: Precondition<'permissions', { readonly requiredPermissions?: RequiredPermissions }> = {
  name: 'permissions',
  run({ requiredPermissions: required }, asked) {
    if (required === undefined) return PASSED;
    if (required.subcommands !== undefined && !required.subcommands.includes(asked.subcommand ?? '')) return PASSED;
    const refusal = permissionRefusal(required, asked.permissions);
    return refusal === null ? PASSED : refused(refusal);
  },
};
