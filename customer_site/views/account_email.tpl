% rebase('layout')
<h1>Change e-mail address</h1>
<p>Your e-mail address is also your log-in. It is now <strong>{{current}}</strong>.</p>
% if pending:
<p class="pending">A confirmation link was sent to {{pending}}. The address changes only when that link is opened; it works for 24 hours. Asking again replaces it.</p>
% end
% include('_errors', fields=('email', 'password'), labels={'email': 'New e-mail address', 'password': 'Current password'})
<form id="email-form" method="post" action="/account/email" class="form" novalidate>
  <input type="hidden" name="csrf_token" value="{{csrf()}}">
% include('_field', name='email', label='New e-mail address', type='email', autocomplete='email', required=True, hint='We send a link to this address. Your address changes when you open it; until then you log in with the current one.')
% include('_field', name='password', label='Current password', type='password', autocomplete='current-password', required=True)
  <button type="submit" class="button primary">Send confirmation link</button>
  <a class="button" href="/account/profile">Cancel</a>
</form>
