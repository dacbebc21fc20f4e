% rebase('layout')
<h1>Choose a new password</h1>
% if not token:
<p class="error" role="alert">{{errors.get('token', 'This link is invalid.')}}</p>
<p><a href="/forgot">Ask for a new link</a></p>
% else:
% include('_errors', fields=('password',), labels={'password': 'New password'})
<form id="reset-form" method="post" action="/reset" class="form" novalidate>
  <input type="hidden" name="csrf_token" value="{{csrf()}}">
  <input type="hidden" name="token" value="{{token}}">
% include('_field', name='password', label='New password', type='password', autocomplete='new-password', required=True, hint='At least 10 characters.')
  <button type="submit" class="button primary">Save the new password</button>
</form>
% end
